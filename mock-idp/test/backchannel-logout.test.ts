import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMockIdp, type MockIdp, type MockIdpClient } from '@oidckit/mock-idp'
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { afterEach, expect, test } from 'vitest'
import { Browser, decodeJwt, get, loginWithCode, post } from './helpers.js'

const EVENT = 'http://schemas.openid.net/event/backchannel-logout'

interface Received {
  path: string
  contentType: string | undefined
  token: string
}

/** A relying party's back-channel logout endpoint on 127.0.0.1, answering `statuses` in turn. */
async function receiver(statuses: number[] = [200]): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = []
  const server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      got.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        token: new URLSearchParams(body).get('logout_token') ?? '',
      })
      const status = statuses[Math.min(got.length, statuses.length) - 1]!
      res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {})
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got }
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  )
})

function spa(backchannelLogoutUri: string): MockIdpClient {
  return {
    clientId: 'spa',
    tokenEndpointAuthMethod: 'none',
    redirectUris: ['http://localhost:5173/callback'],
    postLogoutRedirectUris: ['http://localhost:5173/'],
    backchannelLogoutUri,
  }
}

/** Verifies a logout token as a relying party must (Back-Channel Logout §2.6). */
async function verifyLogoutToken(idp: MockIdp, token: string, audience: string) {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await idp.jwks()), {
    issuer: idp.issuer,
    audience,
    typ: 'logout+jwt',
    requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid', 'sub'],
    currentDate: new Date(idp.clock.now() * 1000),
  })
  return { payload, protectedHeader }
}

async function logout(idp: MockIdp, browser: Browser, idToken: string): Promise<void> {
  const res = await browser.request(
    `${idp.issuer}/oauth/logout?${new URLSearchParams({ id_token_hint: idToken })}`,
  )
  expect(await res.text()).toContain('Signed out')
}

test('discovery advertises back-channel logout with sessions, and ID tokens carry one sid per session', async () => {
  const idp = createMockIdp()
  const discovery = (await (await get(idp, '/.well-known/openid-configuration')).json()) as Record<
    string,
    unknown
  >
  expect(discovery.backchannel_logout_supported).toBe(true)
  expect(discovery.backchannel_logout_session_supported).toBe(true)
  const first = await loginWithCode(idp)
  const second = await loginWithCode(idp)
  const sid = decodeJwt(first.tokens.id_token as string).payload.sid
  expect(sid).toEqual(expect.any(String))
  expect(decodeJwt(second.tokens.id_token as string).payload.sid).not.toBe(sid)
  // A refreshed ID token keeps its session's sid.
  const refreshed = (await (
    await post(idp, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.tokens.refresh_token as string,
      client_id: 'spa',
    })
  ).json()) as { id_token: string }
  expect(decodeJwt(refreshed.id_token).payload.sid).toBe(sid)
})

test('logging out POSTs a logout token to the client, which verifies against the JWKS', async () => {
  const rp = await receiver()
  const idp = createMockIdp({ clients: [spa(`${rp.url}/backchannel`)] })
  const { tokens, browser } = await loginWithCode(idp)
  await logout(idp, browser, tokens.id_token as string)
  await idp.flush()
  expect(rp.got).toHaveLength(1)
  expect(rp.got[0]!.path).toBe('/backchannel')
  expect(rp.got[0]!.contentType).toBe('application/x-www-form-urlencoded')
  const { payload, protectedHeader } = await verifyLogoutToken(idp, rp.got[0]!.token, 'spa')
  const idToken = decodeJwt(tokens.id_token as string)
  expect(protectedHeader).toMatchObject({ typ: 'logout+jwt', kid: idToken.header.kid })
  expect(payload).toMatchObject({ sub: 'user-alice', sid: idToken.payload.sid, aud: 'spa' })
  expect(payload.events).toEqual({ [EVENT]: {} })
  expect(payload).not.toHaveProperty('nonce')
  expect(payload.exp! - payload.iat!).toBe(120)
  // The delivery is in the request log, token decoded, never whole.
  const logged = idp.requests().filter((r) => r.endpoint === 'backchannel_logout')
  expect(logged).toEqual([
    expect.objectContaining({
      method: 'POST',
      status: 200,
      params: { logout_token: '[redacted]' },
      outbound: { url: `${rp.url}/backchannel`, attempt: 1 },
    }),
  ])
  expect(logged[0]!.tokens![0]!.payload.sid).toBe(idToken.payload.sid)
  expect(JSON.stringify(idp.requests())).not.toContain(rp.got[0]!.token)
})

test('a delivery the client refuses with 500 is retried 1 s later on the idp clock, then succeeds', async () => {
  const rp = await receiver([500, 200])
  const idp = createMockIdp({ clients: [spa(`${rp.url}/bc`)] })
  const { tokens, browser } = await loginWithCode(idp)
  await logout(idp, browser, tokens.id_token as string)
  await idp.flush()
  expect(rp.got).toHaveLength(1)
  idp.clock.advance(1)
  await idp.flush()
  expect(rp.got).toHaveLength(2)
  await verifyLogoutToken(idp, rp.got[1]!.token, 'spa')
  idp.clock.advance(60)
  await idp.flush()
  expect(rp.got).toHaveLength(2)
  const attempts = idp.requests().filter((r) => r.endpoint === 'backchannel_logout')
  expect(attempts.map((r) => [r.outbound!.attempt, r.status, r.outbound!.error])).toEqual([
    [1, 500, 'answered 500'],
    [2, 200, undefined],
  ])
})

test('a failing client gets four attempts in all, 1, 2 and 4 s apart; redirects are not followed', async () => {
  const rp = await receiver([302])
  const idp = createMockIdp({ clients: [spa(`${rp.url}/bc`)] })
  await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  expect(await idp.endSessions('alice')).toBe(1)
  for (const seconds of [1, 2, 4, 8, 16]) {
    idp.clock.advance(seconds)
    await idp.flush()
  }
  expect(rp.got.map((r) => r.path)).toEqual(['/bc', '/bc', '/bc', '/bc'])
  const attempts = idp.requests().filter((r) => r.endpoint === 'backchannel_logout')
  expect(attempts.map((r) => r.outbound!.error)).toEqual(Array(4).fill('answered 302'))
})

test('a client that cannot be reached is retried, and the failure logged', async () => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const idp = createMockIdp({ clients: [spa(`http://127.0.0.1:${port}/bc`)] })
  await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await idp.endSessions('alice')
  idp.clock.advance(1)
  await idp.flush()
  const attempts = idp.requests().filter((r) => r.endpoint === 'backchannel_logout')
  expect(attempts.map((r) => [r.outbound!.attempt, r.status, r.outbound!.error])).toEqual([
    [1, 0, 'could not connect'],
    [2, 0, 'could not connect'],
  ])
})

test('endSessions ends every session of a user and tells each client it signed in to, through the configured fetch', async () => {
  const delivered: { url: string; token: string }[] = []
  const relyingParty = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const form = new URLSearchParams(await request.text())
    delivered.push({ url: request.url, token: form.get('logout_token')! })
    return new Response(null, { status: 204 })
  }
  const idp = createMockIdp({
    fetch: relyingParty as typeof fetch,
    clients: [
      spa('https://spa.example/backchannel'),
      {
        clientId: 'web-app',
        clientSecret: 'web-app-secret',
        redirectUris: ['https://web.example/callback'],
        backchannelLogoutUri: 'https://web.example/backchannel',
      },
      { clientId: 'quiet', clientSecret: 'quiet-secret', redirectUris: ['https://q.example/cb'] },
    ],
  })
  const { tokens, browser } = await loginWithCode(idp)
  const minted = await idp.issueTokens({ user: 'alice', clientId: 'web-app' })
  await idp.issueTokens({ user: 'alice', clientId: 'quiet' })
  await idp.issueTokens({ user: 'bob', clientId: 'spa' })
  expect(await idp.endSessions('alice')).toBe(3)
  expect(delivered.map((d) => d.url).sort()).toEqual([
    'https://spa.example/backchannel',
    'https://web.example/backchannel',
  ])
  const byAudience = new Map<string, JWTPayload>()
  for (const { token } of delivered) {
    const aud = decodeJwt(token).payload.aud as string
    byAudience.set(aud, (await verifyLogoutToken(idp, token, aud)).payload)
  }
  expect(byAudience.get('spa')!.sid).toBe(decodeJwt(tokens.id_token as string).payload.sid)
  expect(byAudience.get('web-app')!.sid).toBe(decodeJwt(minted.id_token!).payload.sid)
  expect(await idp.endSessions('alice')).toBe(0)
  // Her browser session is gone: the next authorization request shows the login form.
  const page = await browser.request(
    `${idp.issuer}/oauth/authorize?${new URLSearchParams({
      client_id: 'spa',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    })}`,
  )
  expect(await page.text()).toContain('Sign in')
  await expect(idp.endSessions('nobody')).rejects.toThrow(TypeError)
})

test('the control API and the dashboard end sessions too', async () => {
  const delivered: string[] = []
  const idp = createMockIdp({
    controlApi: true,
    fetch: (async (input: RequestInfo | URL) => {
      delivered.push(String(input))
      return new Response('ok')
    }) as typeof fetch,
    clients: [spa('https://spa.example/backchannel')],
  })
  await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  const res = await idp.fetch(
    new Request(`${idp.issuer}/_mock/sessions/end`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice' }),
    }),
  )
  expect(await res.json()).toEqual({ ended: 1 })
  expect(delivered).toEqual(['https://spa.example/backchannel'])

  await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  const browser = new Browser(idp)
  const html = await (await browser.request(`${idp.issuer}/`)).text()
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)![1]!
  const ended = await browser.request(`${idp.issuer}/_dashboard/end-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: csrf, username: 'alice' }),
  })
  expect(ended.status).toBe(303)
  await idp.flush()
  expect(delivered).toHaveLength(2)
})

test('a back-channel logout URI must be http(s) and, over http, on a loopback host', () => {
  expect(() => createMockIdp({ clients: [spa('javascript:alert(1)')] })).toThrow(/scheme/)
  expect(() => createMockIdp({ clients: [spa('http://rp.example/bc')] })).toThrow(/loopback/)
  expect(() => createMockIdp({ clients: [spa('urn:x:y')] })).toThrow(/http\(s\)/)
  expect(() => createMockIdp({ clients: [spa('https://rp.example/bc#f')] })).toThrow(/fragment/)
  expect(() =>
    createMockIdp({
      clients: [
        { ...spa('https://rp.example/bc'), backchannelLogoutSessionRequired: 'yes' as never },
      ],
    }),
  ).toThrow(/backchannelLogoutSessionRequired must be a boolean/)
  expect(() => createMockIdp({ fetch: 'fetch' as never })).toThrow(/fetch must be a function/)
})

test('reset forgets the retries it has not run yet', async () => {
  const rp = await receiver([500])
  const idp = createMockIdp({ clients: [spa(`${rp.url}/bc`)] })
  await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await idp.endSessions('alice')
  expect(rp.got).toHaveLength(1)
  idp.reset()
  idp.clock.advance(10)
  await idp.flush()
  expect(rp.got).toHaveLength(1)
})
