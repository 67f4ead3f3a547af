// `pnpm start`: mock-idp on http://localhost:9400 and every example app that has a `start`
// script, each pointed at it. Ctrl-C stops them all.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const issuer = process.env.MOCK_IDP_ISSUER ?? 'http://localhost:9400'
const children = []

function run(name, command, args, cwd) {
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOCK_IDP_ISSUER: issuer, OIDCKIT_ISSUER: issuer },
  })
  const prefix = `[${name}] `
  const relay = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of String(chunk).split('\n')) if (line) out.write(prefix + line + '\n')
    })
  relay(child.stdout, process.stdout)
  relay(child.stderr, process.stderr)
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping everything`)
      stop(code || 1)
    }
  })
  children.push(child)
  return child
}

async function waitFor(url, ms = 15_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer within ${ms} ms`)
}

let stopping = false
function stop(code = 0) {
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  setTimeout(() => process.exit(code), 500).unref()
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

run('mock-idp', process.execPath, [join(root, 'mock-idp/dist/cli.js')], root)
await waitFor(`${issuer}/.well-known/openid-configuration`)

const examplesDir = join(root, 'examples')
const examples = existsSync(examplesDir) ? readdirSync(examplesDir) : []
for (const name of examples) {
  const dir = join(examplesDir, name)
  const pkgFile = join(dir, 'package.json')
  if (!existsSync(pkgFile)) continue
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
  if (!pkg.scripts?.start) continue
  run(name, 'pnpm', ['run', '--silent', 'start'], dir)
}
console.log(
  `\noidckit is running. mock-idp: ${issuer}  (demo clients and users above; Ctrl-C stops)\n`,
)
