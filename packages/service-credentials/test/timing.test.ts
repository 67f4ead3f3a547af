import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceEvent, TokenSourceOptions } from '@oidckit/service-credentials'
import type { MockIdp } from '@oidckit/mock-idp'
import { ISSUER, counting, createIdp, manualClock, settle } from './helpers.js'
import type { Counting } from './helpers.js'

let idp: MockIdp
let net: Counting
let events: TokenSourceEvent[]

beforeEach(async () => {
  idp = createIdp()
  net = counting(idp.fetch)
  events = []
  // Generate mock-idp's signing key on real time, before any fake timer.
  await idp.issueTokens({ clientId: 'service' })
})

afterEach(() => {
  vi.useRealTimers()
})

const source = (extra: Partial<TokenSourceOptions> = {}) =>
  createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'service-secret',
    fetch: net.fetch,
    onEvent: (event) => events.push(event),
    ...extra,
  })

// setImmediate stays real: settle() uses it to let real I/O and crypto finish between steps.
const useFakeTime = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })

const types = () => events.map((event) => event.type)

test('honours Retry-After on a 429 before trying again', async () => {
  useFakeTime()
  idp.injectFault({ endpoint: 'token', kind: 'oauth_error', error: 'slow_down', status: 429 })
  const withRetryAfter = counting(async (request) => {
    const response = await net.fetch(request)
    if (response.status !== 429) return response
    const headers = new Headers(response.headers)
    headers.set('retry-after', '3')
    return new Response(response.body, { status: 429, headers })
  })
  const s = source({ fetch: withRetryAfter.fetch, random: () => 0 })
  const pending = s.getToken()
  await vi.waitFor(
    () => expect(events[0]).toMatchObject({ type: 'retry_scheduled', attempt: 1, delay: 3000 }),
    { timeout: 10_000 },
  )
  await vi.advanceTimersByTimeAsync(2900)
  expect(net.tokenRequests()).toBe(1)
  await settle(pending, withRetryAfter.inFlight)
  expect(net.tokenRequests()).toBe(2)
  expect(types()).toEqual(['retry_scheduled', 'token_fetched'])
})

test("retries mock-idp's own throttling 429 after its Retry-After", async () => {
  useFakeTime()
  // Ten failed authentications within 60 s make mock-idp answer 429 with Retry-After.
  const bad = source({ clientSecret: 'wrong', retry: false, onEvent: undefined })
  for (let i = 0; i < 10; i++)
    await settle(
      bad.getToken().catch(() => undefined),
      net.inFlight,
    )
  const good = source({
    random: () => 0,
    retry: { maxAttempts: 2 },
    deadline: 120_000,
    onEvent: (event) => {
      events.push(event)
      // mock-idp's throttle window runs on its virtual clock: move it with the wait.
      if (event.type === 'retry_scheduled') idp.clock.advance(Math.ceil(event.delay / 1000))
    },
  })
  const token = settle(good.getToken(), net.inFlight, 1000)
  await expect(token).resolves.toMatch(/^ey/)
  const retry = events.find((event) => event.type === 'retry_scheduled')
  expect(retry).toMatchObject({ error: { name: 'OAuthError', status: 429 } })
  expect(retry && 'delay' in retry ? retry.delay : 0).toBeGreaterThanOrEqual(50_000)
})

test('backs off exponentially with jitter between attempts', async () => {
  useFakeTime()
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 3 })
  const s = source({ random: () => 1, retry: { baseDelay: 100, maxDelay: 300, maxAttempts: 4 } })
  await settle(s.getToken(), net.inFlight, 10)
  const delays = events.flatMap((event) => (event.type === 'retry_scheduled' ? [event.delay] : []))
  // Equal jitter: half the backoff fixed, half random (random() = 1 here), capped at maxDelay.
  expect(delays).toEqual([100, 200, 300])
})

test('rejects with ERR_TIMEOUT when the deadline passes during retries', async () => {
  useFakeTime()
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 100 })
  const s = source({ deadline: 2000, retry: { maxAttempts: 100, baseDelay: 400, maxDelay: 400 } })
  const error = await settle(
    s.getToken().catch((e: unknown) => e),
    net.inFlight,
  )
  expect(error).toMatchObject({ name: 'NetworkError' })
  expect(['ERR_TIMEOUT', 'ERR_SERVER_ERROR']).toContain((error as { code: string }).code)
  expect(net.tokenRequests()).toBeLessThan(10)
})

test('rejects with ERR_TIMEOUT when the provider is slower than the deadline', async () => {
  useFakeTime()
  idp.injectFault({ endpoint: 'token', kind: 'delay', ms: 10_000 })
  const error = await settle(
    source({ deadline: 1000 })
      .getToken()
      .catch((e: unknown) => e),
    () => 0,
  )
  expect(error).toMatchObject({ name: 'NetworkError', code: 'ERR_TIMEOUT' })
})

test('does not wait for a Retry-After that reaches past the deadline', async () => {
  const slow = async (request: Request) => {
    const response = await net.fetch(request)
    if (!request.url.endsWith('/oauth/token')) return response
    return Response.json(
      { error: 'slow_down' },
      { status: 429, headers: { 'retry-after': '3600' } },
    )
  }
  await expect(source({ fetch: slow, deadline: 5000 }).getToken()).rejects.toMatchObject({
    name: 'OAuthError',
    status: 429,
  })
  expect(net.tokenRequests()).toBe(1)
})

test('refreshes in the background past refreshFraction of the lifetime, still serving the cached token', async () => {
  const clock = manualClock()
  const s = source({ clock: clock.now, refreshFraction: 0.5, refreshJitter: 0 })
  const first = await s.getToken()
  clock.advance(1799)
  expect(await s.getToken()).toBe(first)
  expect(net.tokenRequests()).toBe(1)
  clock.advance(1)
  idp.clock.advance(1800)
  // Past half the lifetime: this caller gets the cached token at once, a refresh starts behind it.
  expect(await s.getToken()).toBe(first)
  await vi.waitFor(
    () => expect(events.at(-1)).toMatchObject({ type: 'token_fetched', background: true }),
    { timeout: 10_000 },
  )
  expect(net.tokenRequests()).toBe(2)
  expect(await s.getToken()).not.toBe(first)
})

test('spreads background refreshes with jitter', async () => {
  const clock = manualClock()
  const s = source({
    clock: clock.now,
    refreshFraction: 0.8,
    refreshJitter: 0.2,
    random: () => 0.5,
  })
  await s.getToken()
  // 0.8 - 0.2 * 0.5 = 0.7 of 3600 s.
  clock.advance(2519)
  await s.getToken()
  expect(net.tokenRequests()).toBe(1)
  clock.advance(1)
  await s.getToken()
  await vi.waitFor(() => expect(net.tokenRequests()).toBe(2), { timeout: 10_000 })
})

test('a failed background refresh keeps serving the still-valid token and tries again later', async () => {
  const clock = manualClock()
  const s = source({ clock: clock.now, refreshFraction: 0.5, refreshJitter: 0, retry: false })
  const first = await s.getToken()
  clock.advance(2000)
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 5 })
  expect(await s.getToken()).toBe(first)
  await vi.waitFor(() => expect(types().at(-1)).toBe('refresh_failed'), { timeout: 10_000 })
  expect(events.at(-1)).toMatchObject({ background: true, error: { code: 'ERR_SERVER_ERROR' } })
  // While the provider is down, callers keep the token, and the provider is not hammered.
  for (let i = 0; i < 20; i++) expect(await s.getToken()).toBe(first)
  expect(net.tokenRequests()).toBe(2)
  clock.advance(30)
  idp.clearFaults()
  expect(await s.getToken()).toBe(first)
  await vi.waitFor(() => expect(types().at(-1)).toBe('token_fetched'), { timeout: 10_000 })
  expect(await s.getToken()).not.toBe(first)
})

test('once the token is stale, callers wait for the new one and see the failure', async () => {
  const clock = manualClock()
  const s = source({ clock: clock.now, retry: false })
  await s.getToken()
  clock.advance(3600)
  idp.injectFault({ endpoint: 'token', kind: 'server_error' })
  await expect(s.getToken()).rejects.toMatchObject({ code: 'ERR_SERVER_ERROR' })
  expect(events.at(-1)).toMatchObject({ type: 'refresh_failed', background: false })
})

test('clamps the leeway to half the lifetime of a very short token', async () => {
  const clock = manualClock()
  const shortLived = createIdp()
  const shortNet = counting(shortLived.fetch)
  const s = createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'service-secret',
    fetch: async (request) => {
      const response = await shortNet.fetch(request)
      if (!request.url.endsWith('/oauth/token')) return response
      return Response.json({ ...((await response.json()) as object), expires_in: 30 })
    },
    clock: clock.now,
    refreshFraction: 1,
  })
  const first = await s.getToken()
  clock.advance(14)
  expect(await s.getToken()).toBe(first)
  clock.advance(1)
  expect(await s.getToken()).not.toBe(first)
  expect(shortNet.tokenRequests()).toBe(2)
})
