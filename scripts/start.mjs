// `pnpm start`: builds what the examples use, then runs mock-idp and every example app pointed
// at it, and prints their URLs once each one answers. Ctrl-C stops them all. `--help` for the
// settings.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { build } from './start/build.mjs'
import { loadDefaultConfig, writeIdpConfig } from './start/idp-config.mjs'
import { launchSpec } from './start/launch.mjs'
import { portIsFree } from './start/ports.mjs'
import { Child, tail } from './start/processes.mjs'
import { waitReady } from './start/ready.mjs'
import { resolveSettings, SettingsError } from './start/settings.mjs'

const USAGE = `Usage: pnpm start [--verbose] [--no-build]

Runs mock-idp and the example apps, and prints their URLs once they answer.
  --verbose    show every app's output here (by default it goes to one log file per app)
  --no-build   skip the build (the packages must be built already)

Ports and addresses (env):
  MOCK_IDP_PORT      mock-idp's port (9400); the issuer follows: http://localhost:<port>
  MOCK_IDP_ISSUER    or the issuer (http://localhost:9400); the port follows
  EXPRESS_API_PORT   the example API (4000)
  WEB_SERVER_PORT    the server-rendered web app (3000)
  SPA_REACT_PORT     the React single-page app (5173)
  OIDCKIT_START_LOG_DIR      where the logs go (default: a new folder under ${tmpdir()})
  OIDCKIT_START_TIMEOUT_MS   how long an app may take to answer (60000)
A taken port skips that app (mock-idp's stops everything: the apps need it).`

const root = new URL('..', import.meta.url).pathname

let options
try {
  options = parseArgs({
    options: {
      verbose: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values
} catch (err) {
  console.error(`${err.message}\n\n${USAGE}`)
  process.exit(2)
}
if (options.help) {
  console.log(USAGE)
  process.exit(0)
}

let settings
try {
  settings = resolveSettings(process.env)
} catch (err) {
  if (!(err instanceof SettingsError)) throw err
  console.error(`pnpm start: ${err.message}`)
  process.exit(2)
}
const verbose = options.verbose ?? false
const timeoutMs = Number(process.env.OIDCKIT_START_TIMEOUT_MS ?? 60_000)
const logDir = process.env.OIDCKIT_START_LOG_DIR || mkdtempSync(join(tmpdir(), 'oidckit-start-'))
mkdirSync(logDir, { recursive: true })

/** Everything started, so that every exit path stops it. */
const children = new Set()
let stopping = false

/** Stops every child group (SIGTERM, then SIGKILL after a grace period) and exits. */
async function stopAll(code) {
  // A second caller waits for the first one's exit.
  if (stopping) return new Promise(() => {})
  stopping = true
  await Promise.all([...children].map((child) => child.stop()))
  process.exit(code)
}
process.on('SIGINT', () => {
  console.log('\nStopping…')
  void stopAll(0)
})
process.on('SIGTERM', () => void stopAll(0))
process.on('SIGHUP', () => void stopAll(0))
const crash = (err) => {
  console.error(`pnpm start: ${err instanceof Error ? err.stack : err}`)
  void stopAll(1)
}
process.on('uncaughtException', crash)
process.on('unhandledRejection', crash)

function start(name, spec) {
  const child = new Child(name, { ...spec, logFile: join(logDir, `${name}.log`), echo: verbose })
  children.add(child)
  return child
}

function printLog(child, why) {
  console.error(`\n${child.name} ${why}. Its log (${child.logFile}):`)
  console.error(tail(child.log()))
}

function exitReason({ code, signal, error }) {
  if (error) return `could not start (${error.message})`
  return signal ? `stopped (${signal})` : `exited with code ${code}`
}

if (!options['no-build']) {
  const built = await build({ root, logDir, verbose, track: (child) => children.add(child) })
  if (!built || stopping) await stopAll(1)
  children.clear()
}

// mock-idp first: every app needs it.
const { idp } = settings
const demo = await loadDefaultConfig(root).catch((err) => {
  console.error(`pnpm start: ${err.message}`)
  process.exit(1)
})
if (!(await portIsFree(idp.port))) {
  console.error(
    `pnpm start: port ${idp.port} (mock-idp) is in use, maybe by another \`pnpm start\`. ` +
      `Stop it, or run mock-idp on another port: MOCK_IDP_PORT=${idp.port + 1} pnpm start`,
  )
  await stopAll(1)
}
// The dashboard and control API ask for it; printed with the URLs rather than left in the log.
const adminToken = process.env.MOCK_IDP_ADMIN_TOKEN || randomBytes(24).toString('base64url')
const idpConfigFile = join(logDir, 'mock-idp.json')
writeIdpConfig(idpConfigFile, demo, settings.apps)
const idpChild = start('mock-idp', {
  command: process.execPath,
  args: [
    join(root, 'mock-idp/dist/cli.js'),
    ...['--port', String(idp.port), '--host', idp.host.replace(/^\[(.*)\]$/, '$1')],
    ...['--issuer', idp.issuer],
    ...['--config', idpConfigFile],
  ],
  cwd: root,
  env: { ...process.env, MOCK_IDP_ADMIN_TOKEN: adminToken },
})
const issuerPath = new URL(idp.issuer).pathname.replace(/\/$/, '')
const idpState = await waitReady(
  idpChild,
  { url: `http://${idp.host}:${idp.port}${issuerPath}/.well-known/openid-configuration` },
  timeoutMs,
)
if (stopping) await stopAll(0)
if (idpState !== 'ready') {
  printLog(
    idpChild,
    idpState === 'exited' ? exitReason(idpChild.exitInfo) : `did not answer in ${timeoutMs} ms`,
  )
  await stopAll(1)
}

// Then the apps, each on its own: a taken port or a crash skips that app only.
const rows = [['mock-idp', `${idp.issuer}/  (dashboard; admin token ${adminToken})`]]
const pending = []
/** Each started app's readiness, for the apps that call it. */
const readiness = new Map()
for (const app of settings.apps) {
  if (stopping) await stopAll(1)
  if (app.port !== undefined && !(await portIsFree(app.port))) {
    const why = `port ${app.port} is in use (${app.portEnv} picks another)`
    console.log(`${app.name}: skipped, ${why}`)
    rows.push([app.name, `skipped: ${why}`])
    continue
  }
  const spec = launchSpec(root, app, settings)
  // The service calls the API at once: it starts when the API answers (or has failed).
  if (spec.after) await readiness.get(spec.after)
  if (stopping) await stopAll(1)
  const child = start(app.name, spec)
  const row = [app.name, spec.show]
  rows.push(row)
  const ready = waitReady(child, spec.ready, timeoutMs).then(async (state) => {
    // Stopping ends every app: that is no failure to report.
    if (state === 'ready' || stopping) return
    const why =
      state === 'exited' ? exitReason(child.exitInfo) : `did not answer in ${timeoutMs} ms`
    printLog(child, why)
    await child.stop()
    children.delete(child)
    row[1] = `failed: ${why} (log: ${child.logFile})`
  })
  readiness.set(app.name, ready)
  pending.push(ready)
}
await Promise.all(pending)
if (stopping) await stopAll(1)

const cliIssuer = idp.issuer === 'http://localhost:9400' ? '' : `OIDCKIT_ISSUER=${idp.issuer} `
rows.push(['cli', `cd examples/cli && ${cliIssuer}pnpm exec oidckit login`])
const width = Math.max(...rows.map(([name]) => name.length))
const users = demo.users.map((user) => `${user.username} / ${user.password}`).join(', ')
console.log(`
oidckit is running (Ctrl-C stops everything):

${rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`).join('\n')}

Demo users: ${users}
Logs: ${logDir}${verbose ? '' : ' (--verbose shows them here)'}
`)

// After the banner: an app that stops is reported with its log; mock-idp stopping ends it all.
for (const child of children) {
  void child.exited.then(async (info) => {
    if (stopping || !children.has(child)) return
    printLog(child, exitReason(info))
    if (child === idpChild) {
      console.error('mock-idp stopped: stopping everything.')
      await stopAll(1)
      return
    }
    await child.stop()
    children.delete(child)
  })
}
