import { beforeEach, expect, test } from 'vitest'
import { createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceEvent } from '@oidckit/service-credentials'
import type { MockIdp } from '@oidckit/mock-idp'
import { API, ISSUER, counting, createIdp } from './helpers.js'
import type { Counting } from './helpers.js'
import { GENEROUS_TIMEOUT } from '@oidckit/test-utils'

let idp: MockIdp
let net: Counting
let seen: { authorization: string | null; body: string }[]
let events: TokenSourceEvent[]
/** Tokens the fake API treats as revoked. */
let revoked: Set<string>

/** A protected API: 401 invalid_token for a revoked token, 401 without error for none. */
async function api(request: Request): Promise<Response> {
  const authorization = request.headers.get('authorization')
  seen.push({ authorization, body: await request.text() })
  const token = authorization?.replace(/^Bearer /, '') ?? ''
  if (!authorization) {
    return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer' } })
  }
  if (revoked.has(token)) {
    return new Response(null, {
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer realm="api", error="invalid_token", error_description="revoked"',
      },
    })
  }
  return Response.json({ ok: true })
}

beforeEach(() => {
  idp = createIdp()
  net = counting(idp.fetch)
  seen = []
  events = []
  revoked = new Set()
})

const source = () =>
  createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'service-secret',
    scope: 'api:read',
    fetch: (request) => (request.url.startsWith(ISSUER) ? net.fetch(request) : api(request)),
    timeout: GENEROUS_TIMEOUT,
    onEvent: (event) => events.push(event),
  })

test('C-15: adds Authorization: Bearer with the cached token, never in the URL', async () => {
  const s = source()
  const response = await s.fetch(`${API}/api/orders?x=1`)
  expect(response.status).toBe(200)
  const token = await s.getToken()
  expect(seen[0]?.authorization).toBe(`Bearer ${token}`)
  await s.fetch(new URL(`${API}/api/orders`), { method: 'POST', body: 'a=1' })
  expect(seen[1]).toEqual({ authorization: `Bearer ${token}`, body: 'a=1' })
  expect(net.tokenRequests()).toBe(1)
})

test('on a 401 with invalid_token, drops the cached token and retries once with a new one, body included', async () => {
  const s = source()
  revoked.add(await s.getToken())
  const response = await s.fetch(`${API}/api/orders`, { method: 'PUT', body: 'payload' })
  expect(response.status).toBe(200)
  expect(seen).toHaveLength(2)
  expect(seen[1]?.body).toBe('payload')
  expect(seen[1]?.authorization).not.toBe(seen[0]?.authorization)
  expect(net.tokenRequests()).toBe(2)
  expect(events.map((e) => e.type)).toEqual(['token_fetched', 'token_rejected', 'token_fetched'])
  expect(JSON.stringify(events)).not.toContain([...revoked][0])
})

test('retries only once: a second invalid_token response is returned to the caller', async () => {
  const always = (request: Request) => {
    revoked.add(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '')
    return api(request)
  }
  const s = createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'service-secret',
    fetch: (request) => (request.url.startsWith(ISSUER) ? net.fetch(request) : always(request)),
  })
  expect((await s.fetch(`${API}/x`)).status).toBe(401)
  expect(seen).toHaveLength(2)
  expect(net.tokenRequests()).toBe(2)
})

test('a 401 without invalid_token, or a 403, is returned as is without a new token', async () => {
  const s = createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'service-secret',
    fetch: async (request) => {
      if (request.url.startsWith(ISSUER)) return net.fetch(request)
      seen.push({ authorization: request.headers.get('authorization'), body: '' })
      return request.url.endsWith('/forbidden')
        ? new Response(null, {
            status: 403,
            headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
          })
        : new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } })
    },
  })
  expect((await s.fetch(`${API}/basic`)).status).toBe(401)
  expect((await s.fetch(`${API}/forbidden`)).status).toBe(403)
  expect(seen).toHaveLength(2)
  expect(net.tokenRequests()).toBe(1)
})

test('a token failure rejects fetch with the typed error and sends nothing to the API', async () => {
  const s = createTokenSource({
    issuer: ISSUER,
    clientId: 'service',
    clientSecret: 'wrong',
    fetch: (request) => (request.url.startsWith(ISSUER) ? net.fetch(request) : api(request)),
  })
  await expect(s.fetch(`${API}/x`)).rejects.toMatchObject({
    name: 'OAuthError',
    error: 'invalid_client',
  })
  expect(seen).toHaveLength(0)
})

test('a bad URL rejects with a TypeError, not a crash', async () => {
  await expect(source().fetch('not a url')).rejects.toBeInstanceOf(TypeError)
})
