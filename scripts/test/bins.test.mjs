// The `oidckit` and `mock-idp` commands as pnpm links them into a workspace package, the way the
// examples' READMEs run them (`pnpm exec oidckit login` from examples/cli).
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = new URL('../..', import.meta.url).pathname
const bins = join(root, 'examples/cli/node_modules/.bin')

/** Runs a command to its end; resolves with its exit code and output. */
function run(command, args, { cwd = root, until } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
      if (until?.test(stdout)) child.kill('SIGTERM')
    })
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

describe.each([
  ['oidckit', 'packages/device-cli', 'device-cli'],
  ['mock-idp', 'mock-idp', 'mock-idp'],
])('the %s bin', (name, dir, pkg) => {
  test('is linked to the committed shim, which exists before any build', () => {
    // pnpm skips a bin whose file is missing at install: it must not point into dist/.
    expect(readFileSync(join(bins, name), 'utf8')).toContain(
      `/@oidckit/${pkg}/bin/${name}.mjs" "$@"`,
    )
  })

  test('runs the built CLI: --help prints the usage', async () => {
    const { code, stdout } = await run(join(bins, name), ['--help'], {
      cwd: join(root, 'examples/cli'),
    })
    expect(code).toBe(0)
    expect(stdout).toMatch(new RegExp(`^Usage: ${name} `, 'm'))
  })

  test('without a build, says to run pnpm build', async () => {
    const copy = mkdtempSync(join(tmpdir(), `${name}-unbuilt-`))
    mkdirSync(join(copy, 'bin'))
    copyFileSync(join(root, dir, 'bin', `${name}.mjs`), join(copy, 'bin', `${name}.mjs`))
    const { code, stderr } = await run(process.execPath, [join(copy, 'bin', `${name}.mjs`)])
    expect(code).toBe(1)
    expect(stderr).toContain(`${name}: @oidckit/${pkg} is not built yet: run \`pnpm build\``)
  })
})

test('the mock-idp bin serves: it starts the server, not only loads it', async () => {
  const { stdout } = await run(join(bins, 'mock-idp'), ['--port', '0', '--host', '127.0.0.1'], {
    until: /mock-idp listening on http:\/\/127\.0\.0\.1:\d+/,
  })
  expect(stdout).toMatch(/mock-idp listening on http:\/\/127\.0\.0\.1:\d+/)
})
