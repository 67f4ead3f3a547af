import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { NetworkError, OAuthError, createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceEvent, TokenSourceOptions } from '@oidckit/service-credentials'
import type { MockIdp } from '@oidckit/mock-idp'
import { API, ISSUER, counting, createIdp, manualClock } from './helpers.js'
import type { Counting } from './helpers.js'
import { GENEROUS_TIMEOUT } from '@oidckit/test-utils'

let idp: MockIdp
let net: Counting

beforeEach(() => {
  idp = createIdp()
  net = counting(idp.fetch)
})

afterEach(() => {
  vi.useRealTimers()
})

const source = (extra: Partial<TokenSourceOptions> = {}) =>
  createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'service-secret',
    scope: 'api:read',
    fetch: net.fetch,
    timeout: GENEROUS_TIMEOUT,
    retry: { baseDelay: 1, maxDelay: 4 },
    ...extra,
  })

const claims = (token: string) =>
  JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<
    string,
    unknown
  >

test('gets an access token from mock-idp with client_secret_basic by default', async () => {
  const token = await source().getToken()
  expect(claims(token)).toMatchObject({ sub: 'service', scope: 'api:read', aud: API })
  const [request] = net.sent
  const [scheme, credentials = ''] = request?.authorization?.split(' ') ?? []
  expect(scheme).toBe('Basic')
  // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
  expect(atob(credentials).split(':').map(decodeURIComponent)).toEqual([
    'service',
    'service-secret',
  ])
  expect(Object.fromEntries(request?.form ?? [])).toEqual({
    grant_type: 'client_credentials',
    scope: 'api:read',
  })
})

test('returns the whole token set from getTokenSet', async () => {
  const tokens = await source().getTokenSet()
  expect(tokens.tokenType).toBe('bearer')
  expect(tokens.scope).toBe('api:read')
  expect(typeof tokens.expiresAt).toBe('number')
})

test('serves a cached token without asking the provider again', async () => {
  const s = source()
  const first = await s.getToken()
  expect(await s.getToken()).toBe(first)
  expect(await s.getTokenSet()).toMatchObject({ accessToken: first })
  expect(net.tokenRequests()).toBe(1)
})

test('C-9: sends the RFC 8707 resource and caches one token per scope and resource pair', async () => {
  const s = source({ resource: 'https://orders.test' })
  const orders = await s.getToken()
  expect(claims(orders).aud).toBe('https://orders.test')
  const write = await s.getToken({ scope: 'api:write' })
  expect(claims(write)).toMatchObject({ scope: 'api:write', aud: 'https://orders.test' })
  const billing = await s.getToken({ resource: 'https://billing.test' })
  expect(claims(billing).aud).toBe('https://billing.test')
  expect(await s.getToken()).toBe(orders)
  expect(await s.getToken({ scope: 'api:write' })).toBe(write)
  expect(net.tokenRequests()).toBe(3)
})

test('treats a scope given in another order or as a list as the same cache entry', async () => {
  const s = source({ scope: 'api:write api:read' })
  const token = await s.getToken()
  expect(await s.getToken({ scope: ['api:read', 'api:write'] })).toBe(token)
  expect(net.tokenRequests()).toBe(1)
})

test('accepts audience as another name for resource', async () => {
  const token = await source({ audience: 'https://orders.test' }).getToken()
  expect(claims(token).aud).toBe('https://orders.test')
})

test('RP-18: caches a token until leeway seconds before expires_in, then fetches a new one', async () => {
  const clock = manualClock()
  const s = source({ clock: clock.now, leeway: 60, refreshFraction: 1, refreshJitter: 0 })
  const first = await s.getToken()
  clock.advance(3600 - 61)
  expect(await s.getToken()).toBe(first)
  expect(net.tokenRequests()).toBe(1)
  clock.advance(1)
  idp.clock.advance(3600 - 60)
  const second = await s.getToken()
  expect(second).not.toBe(first)
  expect(net.tokenRequests()).toBe(2)
})

test('treats a token without expires_in as living defaultExpiresIn seconds, not forever', async () => {
  const clock = manualClock()
  const events: TokenSourceEvent[] = []
  const noExpiry = async (request: Request) => {
    const response = await net.fetch(request)
    if (!request.url.endsWith('/oauth/token') || !response.ok) return response
    const { expires_in: _dropped, ...body } = (await response.json()) as Record<string, unknown>
    return Response.json(body)
  }
  const s = source({ clock: clock.now, fetch: noExpiry, onEvent: (e) => events.push(e) })
  const first = await s.getToken()
  expect(events[0]).toMatchObject({ type: 'token_fetched', expiresIn: 300, expiresInAssumed: true })
  clock.advance(300 - 60)
  expect(await s.getToken()).not.toBe(first)
  expect(net.tokenRequests()).toBe(2)
})

test('single flight: 1,000 concurrent getToken calls make exactly one token request', async () => {
  const s = source()
  const tokens = await Promise.all(Array.from({ length: 1000 }, () => s.getToken()))
  expect(new Set(tokens).size).toBe(1)
  expect(net.tokenRequests()).toBe(1)
})

test('single flight: a failed request rejects every waiter, and the next call tries again', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'oauth_error', error: 'invalid_scope' })
  const s = source()
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => s.getToken()))
  expect(results.every((r) => r.status === 'rejected' && r.reason instanceof OAuthError)).toBe(true)
  expect(net.tokenRequests()).toBe(1)
  expect(claims(await s.getToken()).sub).toBe('service')
  expect(net.tokenRequests()).toBe(2)
})

test('retries a 5xx with backoff until the provider recovers', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 2 })
  const events: TokenSourceEvent[] = []
  const token = await source({ onEvent: (e) => events.push(e) }).getToken()
  expect(claims(token).sub).toBe('service')
  expect(net.tokenRequests()).toBe(3)
  expect(events.map((e) => e.type)).toEqual(['retry_scheduled', 'retry_scheduled', 'token_fetched'])
  expect(events[2]).toMatchObject({ attempts: 3 })
})

test('retries a truncated JSON body', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'malformed' })
  expect(claims(await source().getToken()).sub).toBe('service')
  expect(net.tokenRequests()).toBe(2)
})

test('retries a network error', async () => {
  let calls = 0
  const flaky = (request: Request) =>
    ++calls === 1 ? Promise.reject(new TypeError('fetch failed')) : net.fetch(request)
  expect(claims(await source({ fetch: flaky }).getToken()).sub).toBe('service')
})

test('gives up after maxAttempts with the last error', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 10 })
  const error = await source({ retry: { maxAttempts: 3, baseDelay: 1 } })
    .getToken()
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(NetworkError)
  expect(error).toMatchObject({ code: 'ERR_SERVER_ERROR', status: 500 })
  expect(net.tokenRequests()).toBe(3)
})

test('does not retry when retry is false', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'server_error' })
  await expect(source({ retry: false }).getToken()).rejects.toMatchObject({
    code: 'ERR_SERVER_ERROR',
  })
  expect(net.tokenRequests()).toBe(1)
})

test('never retries invalid_client: a wrong secret surfaces at once as OAuthError', async () => {
  const error = await source({ clientSecret: 'wrong-secret' })
    .getToken()
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(OAuthError)
  expect(error).toMatchObject({ error: 'invalid_client', status: 401 })
  expect(net.tokenRequests()).toBe(1)
})

test('never retries invalid_scope', async () => {
  await expect(source({ scope: 'admin' }).getToken()).rejects.toMatchObject({
    name: 'OAuthError',
    error: 'invalid_scope',
    status: 400,
  })
  expect(net.tokenRequests()).toBe(1)
})

test('RP-18: neither errors nor events carry the client secret or the token', async () => {
  const events: TokenSourceEvent[] = []
  const bad = source({ clientSecret: 'wrong-secret-value', onEvent: (e) => events.push(e) })
  const error = (await bad.getToken().catch((e: unknown) => e)) as Error
  const good = source({ onEvent: (e) => events.push(e) })
  idp.injectFault({ endpoint: 'token', kind: 'server_error' })
  const token = await good.getToken()
  const dump = [
    JSON.stringify(events),
    ...events.map((e) => ('error' in e ? `${e.error.stack} ${JSON.stringify(e.error)}` : '')),
    String(error),
    error.stack,
    JSON.stringify(error),
  ].join('\n')
  expect(events.map((e) => e.type)).toEqual(['refresh_failed', 'retry_scheduled', 'token_fetched'])
  expect(dump).not.toContain('wrong-secret-value')
  expect(dump).not.toContain('service-secret')
  expect(dump).not.toContain(token)
})

test('a throwing onEvent listener does not break token requests', async () => {
  const token = await source({
    onEvent: () => {
      throw new Error('metrics down')
    },
  }).getToken()
  expect(claims(token).sub).toBe('service')
})

test('invalidate drops the cached token so the next call fetches a new one', async () => {
  const s = source()
  const first = await s.getToken()
  await s.getToken({ scope: 'api:write' })
  s.invalidate()
  expect(await s.getToken()).not.toBe(first)
  expect(net.tokenRequests()).toBe(3)
  s.invalidate('all')
  await s.getToken({ scope: 'api:write' })
  expect(net.tokenRequests()).toBe(4)
})

test('forceRefresh fetches a new token even when one is cached', async () => {
  const s = source()
  const first = await s.getToken()
  expect(await s.getToken({ forceRefresh: true })).not.toBe(first)
  expect(net.tokenRequests()).toBe(2)
})

test("aborting one caller's signal rejects that caller only; the shared request goes on", async () => {
  idp.injectFault({ endpoint: 'token', kind: 'delay', ms: 50 })
  const s = source()
  const controller = new AbortController()
  const aborted = s.getToken({ signal: controller.signal })
  const other = s.getToken()
  controller.abort()
  await expect(aborted).rejects.toMatchObject({ name: 'NetworkError', code: 'ERR_ABORTED' })
  expect(claims(await other).sub).toBe('service')
  expect(net.tokenRequests()).toBe(1)
})

test('an already aborted signal rejects at once', async () => {
  await expect(source().getToken({ signal: AbortSignal.abort() })).rejects.toMatchObject({
    code: 'ERR_ABORTED',
  })
})

test('uses client_secret_post when asked', async () => {
  await source({ tokenEndpointAuthMethod: 'client_secret_post' }).getToken()
  const [request] = net.sent
  expect(request?.authorization).toBeNull()
  expect(request?.form.get('client_secret')).toBe('service-secret')
})

test('C-12: discovers the token endpoint once and reuses it', async () => {
  const s = source()
  await s.getToken()
  await s.getToken({ scope: 'api:write' })
  expect(idp.requests().filter((entry) => entry.endpoint === 'discovery')).toHaveLength(1)
})

test('a failed discovery is retried and not kept', async () => {
  idp.injectFault({ endpoint: 'discovery', kind: 'server_error' })
  expect(claims(await source().getToken()).sub).toBe('service')
  expect(idp.requests().filter((entry) => entry.endpoint === 'discovery')).toHaveLength(2)
})

test('with only tokenEndpoint, calls it without discovery', async () => {
  const token = await source({
    issuer: undefined,
    tokenEndpoint: `${ISSUER}/oauth/token`,
  }).getToken()
  expect(claims(token).sub).toBe('service')
  expect(idp.requests().map((entry) => entry.endpoint)).toEqual(['token'])
})
