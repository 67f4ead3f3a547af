// `pnpm start` (scripts/start.mjs) run for real, without its build, on ports the tests choose:
// what a person sees on the terminal, what answers, and that nothing is left running.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'

const root = new URL('../..', import.meta.url).pathname
const started = []

/** `count` distinct ports free right now on loopback. */
async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, () => listen(0)))
  const ports = servers.map((server) => server.address().port)
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

/** A listener holding `port` on 127.0.0.1, as another program would. */
function listen(port) {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

/** The pids of every process, at any depth, that inherited this run's tag. */
function taggedPids(tag) {
  const pids = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1')
      if (environ.split('\0').includes(`OIDCKIT_START_TEST_TAG=${tag}`)) pids.push(Number(entry))
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids
}

/** The process group of `pid` (field 5 of /proc/<pid>/stat). */
function pgidOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
}

function groupGone(pgid) {
  try {
    process.kill(-pgid, 0)
    return false
  } catch (err) {
    return err.code === 'ESRCH'
  }
}

/** Runs `node scripts/start.mjs --no-build` with `env`; collects its output. */
function runStart(env) {
  const tag = randomUUID()
  const logDir = mkdtempSync(join(tmpdir(), 'oidckit-start-test-'))
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs'), '--no-build'], {
    cwd: root,
    env: {
      ...process.env,
      OIDCKIT_START_TEST_TAG: tag,
      OIDCKIT_START_LOG_DIR: logDir,
      OIDCKIT_START_TIMEOUT_MS: '120000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const waiters = []
  const onData = (chunk) => {
    output += chunk
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(output)
      }
    }
  }
  child.stdout.setEncoding('utf8').on('data', onData)
  child.stderr.setEncoding('utf8').on('data', onData)
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  const run = {
    tag,
    /** One app's log so far. */
    log: (name) => readFileSync(join(logDir, `${name}.log`), 'utf8'),
    child,
    exited,
    get output() {
      return output
    },
    /**
     * Resolves with the output once it matches; rejects if start.mjs exits first, or, with the
     * output so far, after two minutes (never reached by a working start, so a hang says where).
     */
    waitFor(pattern) {
      if (pattern.test(output)) return Promise.resolve(output)
      let timer
      return Promise.race([
        new Promise((resolve) => waiters.push({ pattern, resolve })),
        exited.then((code) => {
          throw new Error(`start.mjs exited (${code}) before ${pattern}:\n${output}`)
        }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no ${pattern} after two minutes:\n${output}`)),
            120_000,
          )
        }),
      ]).finally(() => clearTimeout(timer))
    },
    /** Ctrl-C; resolves with the exit code once start.mjs has exited. */
    interrupt() {
      child.kill('SIGINT')
      return exited
    },
  }
  started.push(run)
  return run
}

/** start.mjs with mock-idp and the three servers on `ports`, plus `env`. */
function runOn([idpPort, apiPort, webPort, spaPort], env = {}) {
  return runStart({
    MOCK_IDP_PORT: String(idpPort),
    EXPRESS_API_PORT: String(apiPort),
    WEB_SERVER_PORT: String(webPort),
    SPA_REACT_PORT: String(spaPort),
    ...env,
  })
}

const squatters = []

/** Takes `port` as another program would, until the test ends. */
async function occupy(port) {
  const server = await listen(port)
  squatters.push(server)
  return server
}

afterEach(async () => {
  for (const server of squatters.splice(0)) await new Promise((resolve) => server.close(resolve))
  // A failed assertion must not leave a stack running.
  for (const run of started.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) await run.interrupt()
    for (const pid of taggedPids(run.tag)) process.kill(pid, 'SIGKILL')
  }
})

async function getJson(url) {
  const response = await fetch(url)
  return { status: response.status, body: await response.json() }
}

/** The groups of the processes start.mjs started (not start.mjs itself). */
function childGroups(run) {
  return new Set(
    taggedPids(run.tag)
      .filter((pid) => pid !== run.child.pid)
      .map(pgidOf),
  )
}

describe('pnpm start', () => {
  test('a busy port skips that app, the others answer, and Ctrl-C leaves nothing running', async () => {
    const ports = await freePorts(4)
    const [idpPort, apiPort, webPort, spaPort] = ports
    const squatter = await occupy(webPort)
    const run = runOn(ports)
    const output = await run.waitFor(/oidckit is running[\s\S]*Logs: /)
    expect(output).toContain(`web-server: skipped, port ${webPort} is in use (WEB_SERVER_PORT`)
    expect(output).toMatch(new RegExp(`web-server +skipped: port ${webPort} is in use`))
    expect(output).toContain(`http://localhost:${apiPort}/api/public`)
    expect(output).toContain(`http://localhost:${spaPort}/`)
    expect(output).toContain('alice / alice-password')
    // The service's periodic log stays in its log file; it started once the API answered.
    expect(output).not.toContain('GET /api/data')
    expect(run.log('service')).toMatch(/^GET \/api\/data -> 200 2 items$/m)
    expect(run.log('service')).not.toContain('failed')
    // The dashboard's admin token is on the terminal, and it is the one mock-idp uses.
    const token = /admin token (\S+)\)/.exec(output)[1]
    expect(run.log('mock-idp')).toContain(`Authorization: Bearer ${token}`)

    // MOCK_IDP_PORT alone moves the issuer with it.
    const discovery = await getJson(`http://localhost:${idpPort}/.well-known/openid-configuration`)
    expect(discovery.body.issuer).toBe(`http://localhost:${idpPort}`)
    expect((await getJson(`http://localhost:${apiPort}/api/public`)).status).toBe(200)
    expect((await fetch(`http://localhost:${spaPort}/`)).status).toBe(200)

    const groups = childGroups(run)
    // mock-idp, the API, the SPA and the service, each its own group.
    expect(groups.size).toBe(4)

    // An app that dies later is reported with its log, its group is ended, the others go on.
    const vite = taggedPids(run.tag).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vite.js'),
    )
    const viteGroup = pgidOf(vite)
    process.kill(vite, 'SIGKILL')
    // Only the report is awaited: what vite had written to its log before the kill depends on
    // how far it had got, which a loaded machine decides.
    await run.waitFor(/spa-react stopped \(SIGKILL\)\. Its log \(.*spa-react\.log\):/)
    expect((await getJson(`http://localhost:${apiPort}/api/public`)).status).toBe(200)

    expect(await run.interrupt()).toBe(0)
    expect(groupGone(viteGroup)).toBe(true)
    expect(taggedPids(run.tag)).toEqual([])
    for (const pgid of groups) expect(groupGone(pgid)).toBe(true)
    // The program on the busy port was left alone.
    expect(squatter.listening).toBe(true)
  })

  test('a failing app is stopped with its log printed; MOCK_IDP_ISSUER alone moves the port', async () => {
    const ports = await freePorts(4)
    const [idpPort, apiPort, webPort] = ports
    const run = runOn(ports, {
      MOCK_IDP_ISSUER: `http://localhost:${idpPort}`,
      MOCK_IDP_PORT: '',
      // The web app refuses a session secret under 32 characters.
      SESSION_SECRET: 'too-short',
    })
    const output = await run.waitFor(/oidckit is running[\s\S]*Logs: /)
    expect(output).toMatch(/web-server exited with code 1\. Its log \(.*web-server\.log\):/)
    expect(output).toContain('example-web-server could not start: `secret` must be a string')
    expect(output).toMatch(/web-server +failed: exited with code 1/)

    const discovery = await getJson(`http://localhost:${idpPort}/.well-known/openid-configuration`)
    expect(discovery.body.issuer).toBe(`http://localhost:${idpPort}`)
    expect((await getJson(`http://localhost:${apiPort}/api/public`)).status).toBe(200)
    await expect(fetch(`http://localhost:${webPort}/`)).rejects.toThrow()

    const groups = childGroups(run)
    expect(groups.size).toBe(4)
    expect(await run.interrupt()).toBe(0)
    expect(taggedPids(run.tag)).toEqual([])
    for (const pgid of groups) expect(groupGone(pgid)).toBe(true)
  })

  test("mock-idp's port taken: a clear message, exit 1, nothing started", async () => {
    const ports = await freePorts(4)
    await occupy(ports[0])
    const run = runOn(ports)
    expect(await run.exited).toBe(1)
    expect(run.output).toContain(`port ${ports[0]} (mock-idp) is in use`)
    expect(run.output).not.toContain('oidckit is running')
    expect(taggedPids(run.tag)).toEqual([])
  })

  test('Ctrl-C while the apps are starting stops what has started', async () => {
    const ports = await freePorts(4)
    await occupy(ports[3])
    const run = runOn(ports)
    // Printed after the API and the web app are spawned, before either answers.
    await run.waitFor(/spa-react: skipped/)
    expect(taggedPids(run.tag).length).toBeGreaterThan(1)
    expect(await run.interrupt()).toBe(0)
    expect(run.output).not.toContain('oidckit is running')
    expect(taggedPids(run.tag)).toEqual([])
  })

  test('settings that disagree are refused before anything starts', async () => {
    const run = runStart({ MOCK_IDP_PORT: '9401', MOCK_IDP_ISSUER: 'http://localhost:9402' })
    expect(await run.exited).toBe(2)
    expect(run.output).toContain('MOCK_IDP_PORT=9401 and MOCK_IDP_ISSUER=http://localhost:9402')
    expect(taggedPids(run.tag)).toEqual([])
  })
})
