import { createMockIdp, MockIdpConfigError } from '@oidckit/mock-idp'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { expect, test } from 'vitest'
import { basic, Browser, decodeJwt, get, loginWithCode, pkce, post } from './helpers.js'

const authorize = (extra: Record<string, string>) =>
  `/oauth/authorize?${new URLSearchParams({ client_id: 'spa', response_type: 'code', redirect_uri: 'http://localhost:5173/callback', ...extra })}`

async function code(idp: ReturnType<typeof createMockIdp>, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce()
  const res = await get(
    idp,
    authorize({
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'openid',
      ...extra,
    }),
  )
  return { code: new URL(res.headers.get('location')!).searchParams.get('code')!, verifier }
}

const redeem = (idp: ReturnType<typeof createMockIdp>, form: Record<string, string>) =>
  post(idp, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'spa',
    redirect_uri: 'http://localhost:5173/callback',
    ...form,
  })

test('S-1: a redirect_uri differing by a trailing slash gets an error page, not a redirect', async () => {
  const res = await get(
    createMockIdp(),
    authorize({ redirect_uri: 'http://localhost:5173/callback/' }),
  )
  expect(res.status).toBe(400)
  expect(res.headers.get('location')).toBeNull()
})

test('S-2: an unknown client_id gets an error page, never a redirect', async () => {
  const res = await get(
    createMockIdp(),
    authorize({ client_id: 'nobody', redirect_uri: 'https://evil.example/' }),
  )
  expect(res.status).toBe(400)
  expect(res.headers.get('location')).toBeNull()
})

test('AS-1: redirect_uri is required when the client registers several', async () => {
  const res = await get(createMockIdp(), `/oauth/authorize?client_id=spa&response_type=code`)
  expect(res.status).toBe(400)
  expect(await res.text()).toContain('redirect_uri is required')
})

test('AS-1: config refuses fragments and javascript: redirect URIs', () => {
  expect(() =>
    createMockIdp({ clients: [{ clientId: 'a', redirectUris: ['https://a.example/cb#x'] }] }),
  ).toThrow(MockIdpConfigError)
  expect(() =>
    createMockIdp({ clients: [{ clientId: 'a', redirectUris: ['javascript:alert(1)'] }] }),
  ).toThrow(/scheme/)
  expect(() =>
    createMockIdp({ clients: [{ clientId: 'a', redirectUris: ['http://app.example/cb'] }] }),
  ).toThrow(/http/)
})

test('AS-3: plain PKCE and a missing method are refused with an error redirect carrying iss', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const cases: Record<string, string>[] = [
    { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
    { code_challenge: 'a'.repeat(43) },
  ]
  for (const extra of cases) {
    const res = await get(idp, authorize({ ...extra, state: 'st' }))
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('error')).toBe('invalid_request')
    expect(location.searchParams.get('state')).toBe('st')
    expect(location.searchParams.get('iss')).toBe(idp.issuer)
  }
})

test('AS-3: PKCE is required even for a confidential client', async () => {
  const res = await get(
    createMockIdp({ autoLogin: true }),
    `/oauth/authorize?client_id=web-app&response_type=code`,
  )
  expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request')
})

test('AS-3: a wrong or missing code_verifier is invalid_grant, a malformed one invalid_request', async () => {
  const idp = createMockIdp({ autoLogin: true })
  expect(
    await (
      await redeem(idp, { code: (await code(idp)).code, code_verifier: pkce().verifier })
    ).json(),
  ).toMatchObject({ error: 'invalid_grant' })
  expect(await (await redeem(idp, { code: (await code(idp)).code })).json()).toMatchObject({
    error: 'invalid_grant',
  })
  expect(
    await (await redeem(idp, { code: (await code(idp)).code, code_verifier: 'short' })).json(),
  ).toMatchObject({ error: 'invalid_request' })
})

test('S-4: a code_verifier without a challenge is refused (PKCE downgrade)', async () => {
  const idp = createMockIdp({
    autoLogin: true,
    clients: [
      {
        clientId: 'legacy',
        clientSecret: 's',
        redirectUris: ['http://localhost:3000/cb'],
        requirePkce: false,
      },
    ],
  })
  const res = await get(idp, `/oauth/authorize?client_id=legacy&response_type=code`)
  const c = new URL(res.headers.get('location')!).searchParams.get('code')!
  const token = await post(
    idp,
    '/oauth/token',
    { grant_type: 'authorization_code', code: c, code_verifier: pkce().verifier },
    { authorization: basic('legacy', 's') },
  )
  expect(await token.json()).toMatchObject({ error: 'invalid_grant' })
})

test('S-11: a replayed code is refused and revokes the tokens it issued', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const { code: c, verifier } = await code(idp)
  const first = (await (await redeem(idp, { code: c, code_verifier: verifier })).json()) as Record<
    string,
    string
  >
  const again = await redeem(idp, { code: c, code_verifier: verifier })
  expect(await again.json()).toMatchObject({ error: 'invalid_grant' })
  expect(
    (await get(idp, '/oauth/userinfo', { authorization: `Bearer ${first.access_token}` })).status,
  ).toBe(401)
})

test('AS-2: a code expires after 60 seconds and binds redirect_uri', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const late = await code(idp)
  idp.clock.advance(61)
  expect(
    await (await redeem(idp, { code: late.code, code_verifier: late.verifier })).json(),
  ).toMatchObject({ error: 'invalid_grant' })
  const other = await code(idp)
  expect(
    await (
      await redeem(idp, {
        code: other.code,
        code_verifier: other.verifier,
        redirect_uri: 'http://127.0.0.1:5173/callback',
      })
    ).json(),
  ).toMatchObject({ error: 'invalid_grant' })
})

test('AS-2: a code issued to one client is refused for another', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const c = await code(idp)
  const res = await post(
    idp,
    '/oauth/token',
    {
      grant_type: 'authorization_code',
      code: c.code,
      code_verifier: c.verifier,
      redirect_uri: 'http://localhost:5173/callback',
    },
    { authorization: basic('web-app', 'web-app-secret') },
  )
  expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
})

test('S-6: reusing a rotated refresh token revokes the whole family', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  const refresh = (rt: string) =>
    post(idp, '/oauth/token', { grant_type: 'refresh_token', refresh_token: rt, client_id: 'spa' })
  const second = (await (await refresh(tokens.refresh_token!)).json()) as Record<string, string>
  expect(await (await refresh(tokens.refresh_token!)).json()).toMatchObject({
    error: 'invalid_grant',
  })
  expect(await (await refresh(second.refresh_token!)).json()).toMatchObject({
    error: 'invalid_grant',
  })
})

test('AS-7: a refresh token of one client is refused for another, and a wider scope is invalid_scope', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid' })
  const other = await post(
    idp,
    '/oauth/token',
    { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
    { authorization: basic('web-app', 'web-app-secret') },
  )
  expect(await other.json()).toMatchObject({ error: 'invalid_grant' })
  const wide = await post(idp, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token!,
    client_id: 'spa',
    scope: 'openid email',
  })
  expect(await wide.json()).toMatchObject({ error: 'invalid_scope' })
})

test("AS-7: rotation never extends the refresh token's absolute lifetime", async () => {
  const idp = createMockIdp({ refreshTokenTtl: 100, refreshTokenIdleTtl: 100 })
  let rt = (await idp.issueTokens({ user: 'alice', clientId: 'spa' })).refresh_token!
  idp.clock.advance(60)
  rt = (
    (await (
      await post(idp, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: rt,
        client_id: 'spa',
      })
    ).json()) as Record<string, string>
  ).refresh_token!
  idp.clock.advance(50)
  const res = await post(idp, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: rt,
    client_id: 'spa',
  })
  expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
})

test('S-8: the password grant and implicit flow are refused', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const res = await post(
    idp,
    '/oauth/token',
    { grant_type: 'password', username: 'alice', password: 'alice-password' },
    { authorization: basic('web-app', 'web-app-secret') },
  )
  expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' })
  const implicit = await get(idp, authorize({ response_type: 'token' }))
  expect(new URL(implicit.headers.get('location')!).searchParams.get('error')).toBe(
    'unsupported_response_type',
  )
})

test('AS-5: a repeated parameter is invalid_request and the response is not cached', async () => {
  const idp = createMockIdp()
  const res = await idp.fetch(
    new Request(`${idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic('service', 'service-secret'),
      },
      body: 'grant_type=client_credentials&scope=api:read&scope=api:write',
    }),
  )
  expect(res.status).toBe(400)
  expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  expect(res.headers.get('cache-control')).toBe('no-store')
})

test('AS-5: invalid_client over Basic answers 401 with WWW-Authenticate', async () => {
  const res = await post(
    createMockIdp(),
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { authorization: basic('service', 'wrong') },
  )
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
  expect(await res.json()).toMatchObject({ error: 'invalid_client' })
})

test('AS-6: two client authentication methods in one request are invalid_client', async () => {
  const res = await post(
    createMockIdp(),
    '/oauth/token',
    { grant_type: 'client_credentials', client_secret: 'service-secret' },
    { authorization: basic('service', 'service-secret') },
  )
  expect(await res.json()).toMatchObject({ error: 'invalid_client' })
})

test('AS-6: repeated failed client authentication is throttled with 429', async () => {
  const idp = createMockIdp()
  let last: Response | undefined
  for (let i = 0; i < 11; i++)
    last = await post(
      idp,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('service', `wrong-${i}`) },
    )
  expect(last!.status).toBe(429)
  const good = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { authorization: basic('service', 'service-secret') },
  )
  expect(good.status).toBe(429)
  idp.clock.advance(61)
  expect(
    (
      await post(
        idp,
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('service', 'service-secret') },
      )
    ).status,
  ).toBe(200)
})

test('AS-6: a public client presenting a secret is refused', async () => {
  const res = await post(createMockIdp(), '/oauth/device/code', {
    client_id: 'cli',
    client_secret: 'x',
  })
  expect(res.status).toBe(401)
})

test('AS-6, S-9: private_key_jwt accepts an assertion for the issuer once, and refuses replay, long exp and wrong aud', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const idp = createMockIdp({
    clients: [
      {
        clientId: 'jwt-svc',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] },
        grantTypes: ['client_credentials'],
      },
    ],
  })
  const now = Math.floor(idp.clock.now())
  const sign = (claims: { aud?: string; exp?: number; jti?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('jwt-svc')
      .setSubject('jwt-svc')
      .setAudience(claims.aud ?? idp.issuer)
      .setExpirationTime(claims.exp ?? now + 60)
      .setJti(claims.jti ?? crypto.randomUUID())
      .sign(privateKey)
  const send = async (assertion: string) =>
    post(idp, '/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    })
  const good = await sign({ jti: 'one' })
  expect((await send(good)).status).toBe(200)
  expect((await send(good)).status).toBe(401)
  expect((await send(await sign({ exp: now + 3600 }))).status).toBe(401)
  expect((await send(await sign({ aud: `${idp.issuer}/oauth/token` }))).status).toBe(401)
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'jwt-svc', sub: 'jwt-svc', aud: idp.issuer, exp: now + 60, jti: 'n' })).toString('base64url')}.`
  expect((await send(none)).status).toBe(401)
})

test('AS-9: 384-character state and nonce come back intact', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const state = 's'.repeat(384)
  const nonce = 'n'.repeat(384)
  const { verifier, challenge } = pkce()
  const res = await get(
    idp,
    authorize({
      state,
      nonce,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  )
  const location = new URL(res.headers.get('location')!)
  expect(location.searchParams.get('state')).toBe(state)
  const tokens = (await (
    await redeem(idp, { code: location.searchParams.get('code')!, code_verifier: verifier })
  ).json()) as Record<string, string>
  expect(decodeJwt(tokens.id_token!).payload.nonce).toBe(nonce)
})

test('AS-9: prompt=none without a session answers login_required', async () => {
  const { challenge } = pkce()
  const res = await get(
    createMockIdp(),
    authorize({ prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }),
  )
  expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('login_required')
})

test('AS-9: prompt=login and an exceeded max_age ask for the password again; login_hint prefills', async () => {
  const idp = createMockIdp()
  const { browser } = await loginWithCode(idp)
  const { challenge } = pkce()
  const again = await browser.request(
    `${idp.issuer}${authorize({ prompt: 'login', login_hint: 'alice', code_challenge: challenge, code_challenge_method: 'S256' })}`,
  )
  expect(again.status).toBe(200)
  expect(await again.text()).toContain('value="alice"')
  idp.clock.advance(120)
  const old = await browser.request(
    `${idp.issuer}${authorize({ max_age: '60', code_challenge: challenge, code_challenge_method: 'S256' })}`,
  )
  expect(old.status).toBe(200)
  const fresh = await browser.request(
    `${idp.issuer}${authorize({ max_age: '600', code_challenge: challenge, code_challenge_method: 'S256' })}`,
  )
  expect(fresh.status).toBe(302)
})

test('AS-10: the login form refuses a POST whose CSRF token does not match the cookie', async () => {
  const idp = createMockIdp()
  const browser = new Browser(idp)
  const { challenge } = pkce()
  const html = await (
    await browser.request(
      `${idp.issuer}${authorize({ code_challenge: challenge, code_challenge_method: 'S256' })}`,
    )
  ).text()
  browser.cookies.set('mock_idp_csrf', 'A'.repeat(43))
  const res = await browser.submit(html, { username: 'alice', password: 'alice-password' })
  expect(res.status).toBe(403)
  expect(res.headers.get('location')).toBeNull()
})

test('S-10: token and discovery answer CORS for a registered origin; authorize never does', async () => {
  const idp = createMockIdp()
  const origin = { origin: 'http://localhost:5173' }
  const preflight = await idp.fetch(
    new Request(`${idp.issuer}/oauth/token`, {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'POST' },
    }),
  )
  expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
  expect(
    (await get(idp, '/.well-known/jwks', origin)).headers.get('access-control-allow-origin'),
  ).toBe('http://localhost:5173')
  expect(
    (
      await get(idp, '/.well-known/openid-configuration', { origin: 'https://evil.example' })
    ).headers.get('access-control-allow-origin'),
  ).toBeNull()
  expect(
    (await get(idp, authorize({}), origin)).headers.get('access-control-allow-origin'),
  ).toBeNull()
})

test('S-15: a client_id equal to a user sub is refused at configuration', () => {
  expect(() => createMockIdp({ clients: [{ clientId: 'user-alice', clientSecret: 's' }] })).toThrow(
    /sub/,
  )
})

test('AS-6: a public client configured with a secret is refused at configuration', () => {
  expect(() =>
    createMockIdp({
      clients: [{ clientId: 'p', tokenEndpointAuthMethod: 'none', clientSecret: 's' }],
    }),
  ).toThrow(MockIdpConfigError)
})

test('AS-17: a body over 64 KiB is refused with 413', async () => {
  const res = await post(createMockIdp(), '/oauth/token', {
    grant_type: 'client_credentials',
    junk: 'x'.repeat(70_000),
  })
  expect(res.status).toBe(413)
  expect(await res.json()).toMatchObject({ error: 'invalid_request' })
})

test('AS-17: a URL over 8 KiB is refused with 414', async () => {
  const res = await get(createMockIdp(), `/oauth/authorize?state=${'x'.repeat(9000)}`)
  expect(res.status).toBe(414)
})

test('AS-17: error_description never carries CR, LF or quotes', async () => {
  const res = await post(
    createMockIdp(),
    '/oauth/token',
    { grant_type: 'a"b\r\nc' },
    { authorization: basic('service', 'service-secret') },
  )
  const body = (await res.json()) as { error_description: string }
  expect(body.error_description).not.toMatch(/[\r\n"\\]/)
})

test('AS-8: after rotateKeys the JWKS keeps the old key for the grace period, then drops it', async () => {
  const idp = createMockIdp({ signingAlg: 'ES256', keyRotationGrace: 100 })
  const before = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await idp.rotateKeys()
  const after = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  expect(decodeJwt(after.id_token!).header.kid).not.toBe(decodeJwt(before.id_token!).header.kid)
  expect((await idp.jwks()).keys.map((k) => k.kid)).toEqual([
    decodeJwt(after.id_token!).header.kid,
    decodeJwt(before.id_token!).header.kid,
  ])
  expect(
    (await get(idp, '/oauth/userinfo', { authorization: `Bearer ${before.access_token}` })).status,
  ).toBe(200)
  idp.clock.advance(101)
  expect((await idp.jwks()).keys).toHaveLength(1)
})

test('no token, password or secret reaches the request log', async () => {
  const idp = createMockIdp()
  await loginWithCode(idp)
  await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { authorization: basic('service', 'service-secret') },
  )
  const log = JSON.stringify(idp.requests())
  expect(log).not.toContain('alice-password')
  expect(log).not.toContain(Buffer.from('service:service-secret').toString('base64'))
  expect(log).toContain('[redacted]')
  expect(idp.requests().map((r) => r.endpoint)).toContain('token')
})
