import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp, MockIdpServer } from '@oidckit/mock-idp'
import { startRedisServer } from '@oidckit/test-utils'
import type { RedisServer } from '@oidckit/test-utils'

// Four real Node processes, each with its own Redis connection and token source, share one
// redis-server and one mock-idp over loopback HTTP.

const PROCESSES = 4
const CALLERS = 250
const worker = fileURLToPath(new URL('./fixtures/fleet-worker.ts', import.meta.url))
const tsx = createRequire(import.meta.url).resolve('tsx')

let redis: RedisServer
let idp: MockIdp
let server: MockIdpServer

beforeAll(async () => {
  redis = await startRedisServer()
  idp = createMockIdp()
  server = await idp.listen({ port: 0 })
})

afterAll(async () => {
  await server?.close()
  await redis?.stop()
})

/** Starts the workers, lets them all call at once, and returns each one's distinct tokens. */
async function runFleet(env: Record<string, string>): Promise<string[][]> {
  const workers = Array.from({ length: PROCESSES }, () => {
    const child = spawn(
      process.execPath,
      ['--import', tsx, '--conditions=@oidckit/source', worker],
      {
        env: { ...process.env, ISSUER: server.url, CALLERS: String(CALLERS), ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => stdout.startsWith('ready\n') && resolve())
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)))
    })
    const done = new Promise<string[]>((resolve, reject) => {
      child.once('exit', (code) => {
        if (code !== 0) return reject(new Error(`worker exited (${code}): ${stderr}`))
        resolve(JSON.parse(stdout.slice('ready\n'.length)) as string[])
      })
    })
    done.catch(() => undefined)
    return { child, ready, done }
  })
  await Promise.all(workers.map((w) => w.ready))
  for (const { child } of workers) child.stdin.end('go\n')
  return Promise.all(workers.map((w) => w.done))
}

const tokenRequests = () => idp.requests().filter((r) => r.endpoint === 'token').length

test(
  `one token per fleet: ${PROCESSES} processes × ${CALLERS} concurrent getToken() on a cold Redis cache make exactly one token request`,
  { timeout: 120_000 },
  async () => {
    idp.clearRequests()
    const results = await runFleet({
      REDIS_SOCKET: redis.socketPath!,
      CACHE_SECRET: 'a fleet-wide secret of at least 32 characters',
    })
    expect(results.every((tokens) => tokens.length === 1)).toBe(true)
    expect(new Set(results.flat()).size).toBe(1)
    expect(tokenRequests()).toBe(1)
  },
)

test(
  'without the shared cache, each process makes its own token request',
  { timeout: 120_000 },
  async () => {
    idp.clearRequests()
    const results = await runFleet({})
    expect(new Set(results.flat()).size).toBe(PROCESSES)
    expect(tokenRequests()).toBe(PROCESSES)
  },
)
