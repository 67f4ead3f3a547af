import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp, MockIdpServer } from '@oidckit/mock-idp'
import { startRedisServer } from '@oidckit/test-utils'
import type { RedisServer } from '@oidckit/test-utils'
import { runFleet } from './fixtures/fleet.js'

// Four real Node processes, each with its own Redis connection and token source, share one
// redis-server and one mock-idp over loopback HTTP.

const PROCESSES = 4
const CALLERS = 250

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

const tokenRequests = () => idp.requests().filter((r) => r.endpoint === 'token').length

test(
  `one token per fleet: ${PROCESSES} processes × ${CALLERS} concurrent getToken() on a cold Redis cache make exactly one token request`,
  { timeout: 120_000 },
  async () => {
    idp.clearRequests()
    const results = await runFleet({
      processes: PROCESSES,
      callers: CALLERS,
      issuer: server.url,
      redisSocket: redis.socketPath,
      secret: 'a fleet-wide secret of at least 32 characters',
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
    const results = await runFleet({ processes: PROCESSES, callers: CALLERS, issuer: server.url })
    expect(new Set(results.flat()).size).toBe(PROCESSES)
    expect(tokenRequests()).toBe(PROCESSES)
  },
)
