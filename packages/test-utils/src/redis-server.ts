import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from './free-port.js'
import { pingRedis, type RedisAddress } from './redis-ping.js'

/** How {@link startRedisServer} starts its server. */
export interface RedisServerOptions {
  /**
   * `'unix'` (default): a unix socket in a fresh temporary directory, no TCP port at all.
   * `'tcp'`: a free port on 127.0.0.1, for clients that only take a `redis://` URL.
   */
  transport?: 'unix' | 'tcp' | undefined
  /** Milliseconds to wait for the first `PING` answer. Default 20 000 (a busy machine is slow). */
  startTimeout?: number | undefined
}

/** A running `redis-server` owned by one test file. Its data lives in memory only. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` over TCP, `unix://<socketPath>` over a unix socket. */
  readonly url: string
  /** The unix socket, when `transport` is `'unix'`. */
  readonly socketPath: string | undefined
  /** The address as node-redis's `socket` option takes it: `createClient({ socket: server.socket })`. */
  readonly socket: RedisAddress
  /** The server's process id while it runs. */
  readonly pid: number | undefined
  /** Ends the server (SIGTERM) and removes its directory. Idempotent; call it in `afterAll`. */
  stop(): Promise<void>
  /** SIGKILL, as a crash or outage looks to clients: connections drop without a goodbye. */
  kill(): Promise<void>
  /** Starts the server again at the same address (empty: nothing is persisted); ends it first if running. */
  restart(): Promise<void>
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Starts a real `redis-server` (Debian package `redis-server`) for one test file: no fixed port,
 * no persistence (`--save '' --appendonly no`), and resolves once it answers `PING`. A server
 * still running when the process exits is killed. Never skips: without `redis-server` on the
 * `PATH` it throws, naming the package to install.
 *
 * @throws Error when `redis-server` is missing, exits early, or does not answer in time.
 * @example
 * ```ts
 * const redis = await startRedisServer()
 * const client = await createClient({ socket: redis.socket }).connect()
 * afterAll(() => redis.stop())
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const transport = options.transport ?? 'unix'
  const startTimeout = options.startTimeout ?? 20_000
  const dir = await mkdtemp(path.join(tmpdir(), 'oidckit-redis-'))
  let address: RedisAddress
  let child: ChildProcess | undefined
  let stopped = false

  const launch = async () => {
    child = spawnRedis(dir, address)
    await waitUntilReady(child, address, startTimeout)
  }
  try {
    if (transport === 'unix') {
      address = { path: path.join(dir, 'redis.sock'), tls: false }
      await launch()
    } else {
      // A free port can be taken between the probe and redis's bind: try a few.
      for (let attempt = 1; ; attempt++) {
        address = { host: '127.0.0.1', port: await freePort() }
        try {
          await launch()
          break
        } catch (err) {
          if (attempt >= 5 || !/address already in use/i.test(String(err))) throw err
        }
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }

  const end = async (signal: NodeJS.Signals) => {
    const running = child
    child = undefined
    if (running !== undefined) await terminate(running, signal)
  }
  return {
    url: 'path' in address ? `unix://${address.path}` : `redis://${address.host}:${address.port}`,
    socketPath: 'path' in address ? address.path : undefined,
    socket: address,
    get pid() {
      return child?.pid
    },
    async stop() {
      if (stopped) return
      stopped = true
      await end('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
    kill: () => end('SIGKILL'),
    async restart() {
      if (stopped) throw new Error('restart(): this redis-server was stopped for good.')
      await end('SIGTERM')
      // A killed server leaves its socket file behind.
      if ('path' in address) await rm(address.path, { force: true })
      await launch()
    },
  }
}

function spawnRedis(dir: string, address: RedisAddress): ChildProcess {
  const listen =
    'path' in address
      ? ['--port', '0', '--unixsocket', address.path, '--unixsocketperm', '700']
      : ['--port', String(address.port), '--bind', '127.0.0.1']
  const child = spawn(
    'redis-server',
    [
      ...listen,
      ['--save', ''],
      ['--appendonly', 'no'],
      ['--dir', dir],
      ['--daemonize', 'no'],
      ['--logfile', ''],
    ].flat(),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  Object.assign(child, { output: () => output })
  live.add(child)
  child.once('exit', () => live.delete(child))
  child.once('error', () => live.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const running of live) running.kill('SIGKILL')
    })
  }
  return child
}

function outputOf(child: ChildProcess): string {
  return (child as ChildProcess & { output?: () => string }).output?.().trim() ?? ''
}

async function waitUntilReady(
  child: ChildProcess,
  address: RedisAddress,
  timeoutMs: number,
): Promise<void> {
  let failure: Error | undefined
  child.once('error', (err: NodeJS.ErrnoException) => {
    failure =
      err.code === 'ENOENT'
        ? new Error(
            "redis-server is not installed: the Redis tests need Debian's redis-server " +
              '(apt-get install redis-server).',
          )
        : err
  })
  child.once('exit', (code, signal) => {
    failure ??= new Error(
      `redis-server exited (${signal ?? `code ${code}`}) before accepting connections: ${outputOf(child)}`,
    )
  })
  const deadline = performance.now() + timeoutMs
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (failure) throw failure
    if (await pingRedis(address)) return
    if (failure) throw failure
    if (performance.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not answer PING within ${timeoutMs} ms: ${outputOf(child)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}
