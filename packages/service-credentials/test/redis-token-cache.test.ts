import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from 'vitest'
import { createClient } from 'redis'
import { NetworkError, createTokenSource, redisTokenCache } from '@oidckit/service-credentials'
import type {
  CacheFailedEvent,
  RedisTokenCacheOptions,
  TokenSourceEvent,
  TokenSourceOptions,
} from '@oidckit/service-credentials'
import type { MockIdp } from '@oidckit/mock-idp'
import { startRedisServer } from '@oidckit/test-utils'
import type { RedisServer } from '@oidckit/test-utils'
import { counting, createIdp, manualClock } from './helpers.js'
import type { Counting } from './helpers.js'

// Each token source stands for one process of a fleet: its own node-redis connection, its own
// process cache, one redis-server between them. The fleet test runs real processes.

const SECRET = 'a fleet-wide secret of at least 32 characters'
type Redis = ReturnType<typeof createClient>

let redis: RedisServer
let idp: MockIdp
let net: Counting
let clock: ReturnType<typeof manualClock>
let prefix: string
let events: TokenSourceEvent[]
const clients: Redis[] = []

beforeAll(async () => {
  redis = await startRedisServer()
})

afterAll(async () => {
  await redis?.stop()
})

beforeEach(() => {
  idp = createIdp()
  net = counting(idp.fetch)
  clock = manualClock()
  prefix = `test:${crypto.randomUUID()}:`
  events = []
})

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

/** A connected client that fails commands at once while Redis is away, as the README advises. */
async function connect(): Promise<Redis> {
  const client = createClient({ socket: redis.socket, disableOfflineQueue: true })
  client.on('error', () => undefined)
  clients.push(client)
  await client.connect()
  return client
}

/** One process of the fleet: a token source over its own Redis connection. */
async function processOf(
  extra: Partial<TokenSourceOptions> = {},
  cache: Partial<RedisTokenCacheOptions> = {},
) {
  const client = await connect()
  return createTokenSource({
    issuer: 'http://localhost:9400',
    clientId: 'service',
    clientSecret: 'service-secret',
    scope: 'api:read',
    fetch: net.fetch,
    clock: clock.now,
    retry: { baseDelay: 1, maxDelay: 4 },
    cache: redisTokenCache({ client, secret: SECRET, keyPrefix: prefix, ...cache }),
    onEvent: (event) => events.push(event),
    ...extra,
  })
}

/** Every key this test wrote, with its raw value. */
async function stored(): Promise<Map<string, string>> {
  const client = await connect()
  const keys = await client.keys(`${prefix}*`)
  const values = new Map<string, string>()
  for (const key of keys) values.set(key, (await client.get(key)) ?? '')
  return values
}

const tokenKey = async () => [...(await stored()).keys()].find((key) => !key.endsWith(':lock'))!

test('a second process takes the token the first one stored, with no request of its own', async () => {
  const first = await processOf()
  const second = await processOf()
  const token = await first.getToken()
  expect(await second.getToken()).toBe(token)
  expect(net.tokenRequests()).toBe(1)
})

test('concurrent callers in several processes on a cold cache make one token request', async () => {
  const fleet = await Promise.all([processOf(), processOf(), processOf()])
  const tokens = await Promise.all(
    fleet.flatMap((source) => Array.from({ length: 100 }, () => source.getToken())),
  )
  expect(new Set(tokens).size).toBe(1)
  expect(net.tokenRequests()).toBe(1)
  // The lock is released once the token is stored.
  expect([...(await stored()).keys()].filter((key) => key.endsWith(':lock'))).toEqual([])
})

test('RP-18: tokens are sealed at rest, and kept in Redis for their lifetime', async () => {
  const token = await (await processOf()).getToken()
  const values = await stored()
  expect(values.size).toBe(1)
  const [key, value] = [...values][0]!
  expect(value).toMatch(/^v1\.[\w+/]+\.[\w+/=]+\.[\w+/=]+$/)
  for (const part of token.split('.')) expect(value).not.toContain(part)
  expect(key).not.toContain('api:read')
  const ttl = await (await connect()).pTTL(key)
  // mock-idp's tokens live 3600 s; Redis counts down in real time from the SET.
  expect(ttl).toBeLessThanOrEqual(3_600_000)
  expect(ttl).toBeGreaterThan(3_500_000)
})

test('a tampered entry is a miss: the next process fetches a new token and replaces it', async () => {
  await (await processOf()).getToken()
  const key = await tokenKey()
  const sealed = (await stored()).get(key)!
  const flipped = sealed.slice(0, -4) + (sealed.at(-4) === 'A' ? 'B' : 'A') + sealed.slice(-3)
  for (const junk of [flipped, 'v1.x.y.z', 'not sealed at all', sealed.replace('v1.', 'v9.')]) {
    await (await connect()).set(key, junk)
    await expect((await processOf()).getToken()).resolves.toEqual(expect.any(String))
  }
  expect(net.tokenRequests()).toBe(5)
  expect(events.filter((e) => e.type === 'cache_failed')).toEqual([])
})

test('an entry sealed under another secret is a miss; a rotated list opens the old one', async () => {
  const token = await (await processOf()).getToken()
  const foreign = await processOf({}, { secret: 'another fleet-wide secret, 32 characters+' })
  expect(await foreign.getToken()).not.toBe(token)
  expect(net.tokenRequests()).toBe(2)

  const newer = await (await processOf()).getToken({ scope: 'api:write' })
  const rotated = await processOf(
    {},
    { secret: ['the new secret, at least 32 characters', SECRET] },
  )
  expect(await rotated.getToken({ scope: 'api:write' })).toBe(newer)
  expect(net.tokenRequests()).toBe(3)
})

test('an entry copied under another key does not open there', async () => {
  const first = await processOf()
  await first.getToken()
  const readKey = await tokenKey()
  await first.getToken({ scope: 'api:write' })
  const values = await stored()
  const writeKey = [...values.keys()].find((key) => key !== readKey)!
  await (await connect()).set(writeKey, values.get(readKey)!)
  const write = await (await processOf()).getToken({ scope: 'api:write' })
  expect(net.tokenRequests()).toBe(3)
  expect(JSON.parse(atob(write.split('.')[1]!)).scope).toBe('api:write')
})

test('refreshes ahead of expiry once per fleet: the others take the refreshed token', async () => {
  const options = { refreshFraction: 0.75, refreshJitter: 0 }
  const [a, b, c] = await Promise.all([processOf(options), processOf(options), processOf(options)])
  const first = await a.getToken()
  expect([await b.getToken(), await c.getToken()]).toEqual([first, first])
  clock.advance(3600 * 0.8)
  idp.clock.advance(3600 * 0.8)
  // Past the refresh point each still answers at once with the cached token…
  expect(await a.getToken()).toBe(first)
  await vi.waitFor(() => expect(net.tokenRequests()).toBe(2), { timeout: 10_000 })
  const refreshed = await vi.waitFor(
    async () => {
      const token = await a.getToken()
      expect(token).not.toBe(first)
      return token
    },
    { timeout: 10_000 },
  )
  // …and the other processes find the refreshed token in Redis instead of asking again.
  expect(await b.getToken()).toBe(first)
  expect(await c.getToken()).toBe(first)
  for (const other of [b, c]) {
    await vi.waitFor(async () => expect(await other.getToken()).toBe(refreshed), {
      timeout: 10_000,
    })
  }
  expect(net.tokenRequests()).toBe(2)
})

test('a token refused with invalid_token is dropped for the whole fleet', async () => {
  const refused = new Set<string>()
  const api = async (request: Request) => {
    if (request.url.startsWith('http://localhost:9400')) return net.fetch(request)
    const token = request.headers.get('authorization')?.slice('Bearer '.length) ?? ''
    if (!refused.has(token)) return Response.json({ ok: true })
    return new Response(null, {
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    })
  }
  const a = await processOf({ fetch: api })
  const b = await processOf({ fetch: api })
  refused.add(await a.getToken())
  expect((await a.fetch('http://localhost:4000/api')).status).toBe(200)
  const replacement = await a.getToken()
  expect(refused.has(replacement)).toBe(false)
  expect(await b.getToken()).toBe(replacement)
  expect(net.tokenRequests()).toBe(2)
})

test('forceRefresh and invalidate() get a newer token, never the one Redis still holds', async () => {
  const a = await processOf()
  const b = await processOf()
  const first = await a.getToken()
  expect(await b.getToken()).toBe(first)
  const forced = await a.getToken({ forceRefresh: true })
  expect(forced).not.toBe(first)
  b.invalidate()
  expect(await b.getToken()).toBe(forced)
  expect(net.tokenRequests()).toBe(2)
})

test('a Redis outage: cached tokens still serve, new ones come from the provider, and Redis is used again once back', async () => {
  const a = await processOf()
  const b = await processOf()
  const cached = await a.getToken()
  await redis.kill()

  // A call a cached token can serve never notices.
  expect(await a.getToken()).toBe(cached)
  // A call that needs a new token gets one from the provider directly, with a typed event.
  const write = await a.getToken({ scope: 'api:write' })
  expect(JSON.parse(atob(write.split('.')[1]!)).scope).toBe('api:write')
  expect(await b.getToken()).toEqual(expect.any(String))
  const failed = events.filter((e): e is CacheFailedEvent => e.type === 'cache_failed')
  expect(failed.length).toBeGreaterThan(0)
  for (const event of failed) {
    expect(event.error).toBeInstanceOf(NetworkError)
    expect(['ERR_CONNECTION_FAILED', 'ERR_TIMEOUT']).toContain((event.error as NetworkError).code)
    expect(event.retryIn).toBeGreaterThanOrEqual(1000)
  }
  expect(events.filter((e) => e.type === 'refresh_failed')).toEqual([])
  const requestsInOutage = net.tokenRequests()
  expect(requestsInOutage).toBe(3)

  // Redis comes back (empty); once the backoff has passed and the clients have reconnected,
  // a new token is shared again.
  await redis.restart()
  await vi.waitFor(() => Promise.all(clients.map((client) => client.ping())), { timeout: 15_000 })
  clock.advance(60)
  const orders = await a.getToken({ resource: 'https://orders.test' })
  expect(await b.getToken({ resource: 'https://orders.test' })).toBe(orders)
  expect(net.tokenRequests()).toBe(requestsInOutage + 1)
})

test('a Redis that does not answer in time counts as down (ERR_TIMEOUT), without holding callers up for long', async () => {
  const client = await connect()
  const silent = {
    get: () => new Promise<never>(() => undefined),
    set: client.set.bind(client),
    eval: client.eval.bind(client),
  }
  const source = createTokenSource({
    issuer: 'http://localhost:9400',
    clientId: 'service',
    clientSecret: 'service-secret',
    fetch: net.fetch,
    cache: redisTokenCache({ client: silent, secret: SECRET, keyPrefix: prefix, timeout: 50 }),
    onEvent: (event) => events.push(event),
  })
  expect(await source.getToken()).toEqual(expect.any(String))
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'cache_failed',
      operation: 'get',
      error: expect.objectContaining({ code: 'ERR_TIMEOUT' }),
    }),
  )
})

test('refuses bad options with coded TypeErrors', async () => {
  const client = await connect()
  const bad: [unknown, string][] = [
    [undefined, 'ERR_INVALID_ARG_TYPE'],
    [{ secret: SECRET }, 'ERR_INVALID_ARG_TYPE'],
    [{ client: {}, secret: SECRET }, 'ERR_INVALID_ARG_TYPE'],
    [{ client, secret: 'short' }, 'ERR_INVALID_ARG_VALUE'],
    [{ client, secret: [] }, 'ERR_INVALID_ARG_VALUE'],
    [{ client, secret: SECRET, keyPrefix: '' }, 'ERR_INVALID_ARG_TYPE'],
    [{ client, secret: SECRET, timeout: 0 }, 'ERR_INVALID_ARG_VALUE'],
  ]
  for (const [options, code] of bad) {
    expect(() => redisTokenCache(options as RedisTokenCacheOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', code }),
    )
  }
  expect(() =>
    createTokenSource({
      issuer: 'http://localhost:9400',
      clientId: 'service',
      clientSecret: 'service-secret',
      cache: {} as never,
    }),
  ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
})
