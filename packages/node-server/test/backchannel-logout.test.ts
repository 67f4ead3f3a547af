import { generateKeyPair, SignJWT } from 'jose'
import { describe, expect, test } from 'vitest'
import type { createMockIdp } from '@oidckit/mock-idp'
import { memoryRevokedSessions, memorySessionStore } from '@oidckit/node-server'
import {
  BASE,
  ISSUER,
  LOGOUT_EVENT,
  logoutWorld,
  postLogoutToken,
  withCookies,
} from './support/web-flow'

describe('with a session store', () => {
  test('RP-21: a logout token with a sid ends that session only, and answers 200 no-store', async () => {
    const { web, signer, signedIn, alive } = await logoutWorld()
    const first = await signedIn()
    const second = await signedIn()
    expect(first.sid).toEqual(expect.any(String))
    const res = await postLogoutToken(web, await signer.sign({ sid: first.sid, sub: first.sub }))
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await alive(first.cookies)).toBe(false)
    expect(second.sid).not.toBe(first.sid)
    expect(await alive(second.cookies)).toBe(true)
  })

  test('RP-21: a logout token with only a sub ends every session of that user', async () => {
    const { web, signer, signedIn, alive } = await logoutWorld()
    const first = await signedIn()
    const second = await signedIn()
    expect((await postLogoutToken(web, await signer.sign({ sub: first.sub }))).status).toBe(200)
    expect(await alive(first.cookies)).toBe(false)
    expect(await alive(second.cookies)).toBe(false)
  })
})

describe('cookie-only, with revokedSessions', () => {
  test('RP-21: the ended session cookie is refused and cleared afterwards', async () => {
    const { web, signer, signedIn, alive } = await logoutWorld({
      revokedSessions: memoryRevokedSessions(),
    })
    const { cookies, sid } = await signedIn()
    expect(await alive(cookies)).toBe(true)
    expect((await postLogoutToken(web, await signer.sign({ sid }))).status).toBe(200)
    const headers = new Headers()
    expect(await web.getSession(withCookies(cookies), headers)).toBeNull()
    expect(headers.getSetCookie()[0]).toMatch(/Max-Age=0/)
  })

  test('RP-21: ending a user by sub does not refuse their next login', async () => {
    const { idp, web, signer, signedIn, alive } = await logoutWorld({
      revokedSessions: memoryRevokedSessions(),
    })
    const before = await signedIn()
    expect((await postLogoutToken(web, await signer.sign({ sub: before.sub }))).status).toBe(200)
    idp.clock.advance(1)
    const after = await signedIn()
    expect(await alive(before.cookies)).toBe(false)
    expect(await alive(after.cookies)).toBe(true)
  })

  test('without a store or revokedSessions the endpoint says it cannot end sessions', async () => {
    const { web, signer } = await logoutWorld({})
    const res = await postLogoutToken(web, await signer.sign({ sub: 'user-alice' }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  })
})

describe('RP-21: logout token validation (Back-Channel Logout §2.6)', () => {
  type Forge = (
    signer: Awaited<ReturnType<typeof logoutWorld>>['signer'],
    live: { sid: string; sub: string },
    idp: ReturnType<typeof createMockIdp>,
  ) => Promise<string>

  const refused: [string, Forge][] = [
    [
      'a signature by a key not in the JWKS',
      async (_s, { sid }) => {
        const { privateKey } = await generateKeyPair('ES256')
        return new SignJWT({
          iss: ISSUER,
          aud: 'web-app',
          iat: Math.floor(Date.now() / 1000),
          jti: 'x1',
          sid,
          events: { [LOGOUT_EVENT]: {} },
        })
          .setProtectedHeader({ alg: 'ES256', kid: 'logout-test', typ: 'logout+jwt' })
          .sign(privateKey)
      },
    ],
    [
      'alg none',
      async (s, { sid }) => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
        return `${part({ alg: 'none', typ: 'logout+jwt' })}.${part(s.claims({ sid }))}.`
      },
    ],
    [
      'an HMAC alg',
      async (s, { sid }) =>
        new SignJWT(s.claims({ sid }))
          .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
          .sign(new TextEncoder().encode('web-app-secret-web-app-secret-web-app')),
    ],
    ['another iss', (s, { sid }) => s.sign({ sid, iss: 'https://other.test' })],
    ['another aud', (s, { sid }) => s.sign({ sid, aud: 'spa' })],
    ['no iat', (s, { sid }) => s.sign({ sid, iat: undefined })],
    [
      'an iat in the future',
      (s, { sid }, idp) => s.sign({ sid, iat: Math.floor(idp.clock.now()) + 3600 }),
    ],
    [
      'an iat long past',
      (s, { sid }, idp) => s.sign({ sid, iat: Math.floor(idp.clock.now()) - 3600, exp: undefined }),
    ],
    [
      'an exp in the past',
      (s, { sid }, idp) => s.sign({ sid, exp: Math.floor(idp.clock.now()) - 120 }),
    ],
    ['no jti', (s, { sid }) => s.sign({ sid, jti: undefined })],
    ['no events', (s, { sid }) => s.sign({ sid, events: undefined })],
    [
      'another event',
      (s, { sid }) => s.sign({ sid, events: { 'https://example.test/event': {} } }),
    ],
    [
      'the event as a string',
      (s, { sid }) => s.sign({ sid, events: { [LOGOUT_EVENT]: 'logout' } }),
    ],
    ['neither sid nor sub', (s) => s.sign({})],
    ['a nonce', (s, { sid }) => s.sign({ sid, nonce: 'n-0S6_WzA2Mj' })],
    ['typ JWT', (s, { sid }) => s.sign({ sid }, { typ: 'JWT' })],
    [
      'an encrypted (JWE) token',
      async () =>
        'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aaaaaaaaaaaaaaaa.bbbb.cccccccccccccccccccccc',
    ],
  ]

  test.each(refused)(
    'RP-21: refuses %s with 400 invalid_request, and the session lives on',
    async (_name, forge) => {
      const { idp, web, signer, signedIn, alive } = await logoutWorld()
      const live = await signedIn()
      const res = await postLogoutToken(web, await forge(signer, live, idp))
      expect(res.status).toBe(400)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.any(String),
      })
      expect(await alive(live.cookies)).toBe(true)
    },
  )

  test('RP-21: the same token (jti) is accepted once, so a replay cannot end a later session', async () => {
    const { idp, web, signer, signedIn, alive } = await logoutWorld()
    const { sub } = await signedIn()
    const token = await signer.sign({ sub })
    expect((await postLogoutToken(web, token)).status).toBe(200)
    idp.clock.advance(1)
    const later = await signedIn()
    const replay = await postLogoutToken(web, token)
    expect(replay.status).toBe(400)
    expect((await replay.json()).error_description).toMatch(/already used/)
    expect(await alive(later.cookies)).toBe(true)
  })

  test('RP-21: accepts a token without typ or exp', async () => {
    const { web, signer, signedIn, alive } = await logoutWorld()
    const { cookies, sid } = await signedIn()
    const token = await signer.sign({ sid, exp: undefined }, { typ: undefined })
    expect((await postLogoutToken(web, token)).status).toBe(200)
    expect(await alive(cookies)).toBe(false)
  })

  test('RP-21: refuses a well-signed token whose alg is outside logoutTokenAlgorithms', async () => {
    const { web, signer, signedIn, alive } = await logoutWorld({
      store: memorySessionStore(),
      logoutTokenAlgorithms: ['RS256'],
    })
    const { cookies, sid } = await signedIn()
    const res = await postLogoutToken(web, await signer.sign({ sid }))
    expect(res.status).toBe(400)
    expect((await res.json()).error_description).toMatch(/alg/)
    expect(await alive(cookies)).toBe(true)
  })

  test('RP-2: logoutTokenAlgorithms takes asymmetric algorithms only', async () => {
    for (const alg of ['HS256', 'none']) {
      await expect(logoutWorld({ logoutTokenAlgorithms: [alg] })).rejects.toThrow(TypeError)
    }
  })

  test('RP-21: refuses an ID token posted as a logout token', async () => {
    const { idp, web, signedIn, alive } = await logoutWorld()
    const { cookies } = await signedIn()
    const tokens = await idp.issueTokens({ user: 'alice', clientId: 'web-app', scope: 'openid' })
    const res = await postLogoutToken(web, tokens.id_token!)
    expect(res.status).toBe(400)
    expect(await alive(cookies)).toBe(true)
  })

  test('answers a malformed request with 400 or 405, never a crash', async () => {
    const { web, signer } = await logoutWorld()
    const post = (body: BodyInit, type = 'application/x-www-form-urlencoded') =>
      web.backchannelLogout(
        new Request(`${BASE}/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        }),
      )
    const token = await signer.sign({ sub: 'user-alice' })
    expect((await web.backchannelLogout(new Request(`${BASE}/backchannel-logout`))).status).toBe(
      405,
    )
    expect((await post(`logout_token=${token}`, 'application/json')).status).toBe(400)
    expect((await post('')).status).toBe(400)
    expect((await post(`logout_token=${token}&logout_token=${token}`)).status).toBe(400)
    expect((await post(`logout_token=${'a'.repeat(70_000)}`)).status).toBe(400)
    expect((await post('logout_token=%%%.%%%.%%%')).status).toBe(400)
  })
})
