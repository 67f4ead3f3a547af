import {
  Client,
  createPkce,
  OAuthError,
  randomNonce,
  randomState,
  TokenValidationError,
} from '@oidckit/core'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  API,
  approveDevice,
  signInThroughForms,
  SPA_LOGOUT,
  SPA_REDIRECT,
  startOidcProvider,
  WEB_REDIRECT,
  type RunningProvider,
} from '../src/oidc-provider'
import { UserAgent } from '../src/user-agent'

let op: RunningProvider
beforeAll(async () => {
  op = await startOidcProvider()
})
afterAll(() => op?.close())

const spa = () => Client.discover({ issuer: op.issuer, clientId: 'spa', redirectUri: SPA_REDIRECT })
const webApp = () =>
  Client.discover({
    issuer: op.issuer,
    clientId: 'web-app',
    clientSecret: 'web-app-secret-0123456789',
    redirectUri: WEB_REDIRECT,
  })

/** The code flow through oidc-provider's login and consent pages; returns the redeemed tokens. */
async function codeFlow(client: Client, redirectUri: string, agent = new UserAgent()) {
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid email profile offline_access',
    state,
    nonce,
    codeChallenge: pkce.challenge,
    // oidc-provider grants offline_access (a refresh token) only with prompt=consent (OIDC Core §11).
    prompt: 'consent',
  })
  const callback = await signInThroughForms(agent, url, { login: 'alice', redirectUri })
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  return { tokens, agent, callback, pkce, state, nonce }
}

test('C-12, RP-7: discovers oidc-provider and finds every endpoint from its metadata', async () => {
  const client = await spa()
  expect(client.issuer.identifier).toBe(op.issuer)
  const m = client.issuer.metadata
  expect(m.token_endpoint).toBe(`${op.issuer}/token`)
  expect(m.jwks_uri).toBe(`${op.issuer}/jwks`)
  expect(m.device_authorization_endpoint).toBe(`${op.issuer}/device/auth`)
  expect(m.end_session_endpoint).toBe(`${op.issuer}/session/end`)
  expect(m.code_challenge_methods_supported).toEqual(['S256'])
  const url = client.authorizationUrl({
    state: 's',
    nonce: 'n',
    codeChallenge: (await createPkce()).challenge,
  })
  expect(url.origin + url.pathname).toBe(`${op.issuer}/auth`)
})

test('C-4, RP-1, RP-2, RP-8: code + PKCE through the real login and consent forms yields a validated ID token', async () => {
  const client = await spa()
  const { tokens, callback, nonce } = await codeFlow(client, SPA_REDIRECT)
  // RFC 9207: oidc-provider adds iss, which core checked before redeeming the code.
  expect(callback.searchParams.get('iss')).toBe(op.issuer)
  expect(tokens.tokenType.toLowerCase()).toBe('bearer')
  expect(tokens.accessToken).toEqual(expect.any(String))
  expect(tokens.refreshToken).toEqual(expect.any(String))
  expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile'])
  expect(tokens.expiresAt).toBeGreaterThan(Date.now() / 1000)
  const claims = tokens.claims()!
  expect(claims).toMatchObject({ iss: op.issuer, sub: 'alice', aud: 'spa' })
  expect(claims.nonce).toBe(nonce)
  expect(decodeProtectedHeader(tokens.idToken!)).toMatchObject({
    alg: 'RS256',
    kid: 'interop-rs256',
  })
})

test("RP-6: userinfo returns oidc-provider's claims for the signed-in user", async () => {
  const client = await spa()
  const { tokens } = await codeFlow(client, SPA_REDIRECT)
  const info = await client.userinfo(tokens)
  expect(info).toMatchObject({
    sub: 'alice',
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Liddell',
  })
  // A bare access token with the wrong expected subject is refused on our side.
  await expect(
    client.userinfo(tokens.accessToken, { expectedSubject: 'bob' }),
  ).rejects.toBeInstanceOf(TokenValidationError)
})

test("RP-5: refresh rotates the public client's refresh token and keeps the same subject", async () => {
  const client = await spa()
  const { tokens } = await codeFlow(client, SPA_REDIRECT)
  const next = await client.refresh(tokens)
  expect(next.accessToken).not.toBe(tokens.accessToken)
  expect(next.refreshToken).toEqual(expect.any(String))
  expect(next.refreshToken).not.toBe(tokens.refreshToken)
  expect(next.claims()).toMatchObject({ sub: 'alice', iss: op.issuer, aud: 'spa' })
  expect(await client.userinfo(next)).toMatchObject({ sub: 'alice' })
  // The rotated-out refresh token is refused (oidc-provider also revokes the grant, RFC 9700 §4.14.2).
  const reused = await client.refresh(tokens.refreshToken!).catch((err: unknown) => err)
  expect(reused).toBeInstanceOf(OAuthError)
  expect((reused as OAuthError).error).toBe('invalid_grant')
})

test('C-4: oidc-provider refuses a code redeemed with another PKCE verifier', async () => {
  const client = await spa()
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({ state, nonce, codeChallenge: pkce.challenge })
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  const err = await client
    .authorizationCodeGrant(callback, { state, nonce, codeVerifier: (await createPkce()).verifier })
    .catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect((err as OAuthError).error).toBe('invalid_grant')
})

test('C-1, RP-8: a callback with another state is refused before the code is sent', async () => {
  const client = await spa()
  const pkce = await createPkce()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    state: randomState(),
    nonce,
    codeChallenge: pkce.challenge,
  })
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  const err = await client
    .authorizationCodeGrant(callback, { state: randomState(), nonce, codeVerifier: pkce.verifier })
    .catch((e: unknown) => e)
  expect(err).toBeInstanceOf(TokenValidationError)
})

test('RP-22, RP-20: a confidential client introspects and revokes; revoking the refresh token ends the grant', async () => {
  const client = await webApp()
  const { tokens } = await codeFlow(client, WEB_REDIRECT)
  expect(tokens.claims()?.aud).toBe('web-app')
  const active = await client.introspect(tokens.accessToken, { tokenTypeHint: 'access_token' })
  expect(active).toMatchObject({ active: true, sub: 'alice', client_id: 'web-app' })
  expect(await client.introspect(tokens.refreshToken!)).toMatchObject({
    active: true,
    sub: 'alice',
    client_id: 'web-app',
  })
  await client.revoke(tokens.refreshToken!, { tokenTypeHint: 'refresh_token' })
  expect((await client.introspect(tokens.refreshToken!)).active).toBe(false)
  expect((await client.introspect(tokens.accessToken)).active).toBe(false)
  const refused = await client.refresh(tokens).catch((e: unknown) => e)
  expect((refused as OAuthError).error).toBe('invalid_grant')
  // RFC 7009 §2.2: an unknown token is revoked with 200 too.
  await expect(client.revoke('not-a-token-oidc-provider-issued')).resolves.toBeUndefined()
})

test('RP-21: oidc-provider accepts the endSessionUrl and returns to the registered URI with the state', async () => {
  const client = await spa()
  const { tokens, agent } = await codeFlow(client, SPA_REDIRECT)
  const state = randomState()
  const url = client.endSessionUrl({
    idTokenHint: tokens,
    postLogoutRedirectUri: SPA_LOGOUT,
    state,
  })
  expect(url.origin + url.pathname).toBe(`${op.issuer}/session/end`)
  const page = await agent.follow(url)
  expect(page.response.status).toBe(200)
  const html = await page.response.text()
  expect(html).toContain('op.logoutForm')
  const done = await agent.submit(
    { html, url: page.url },
    { logout: 'yes' },
    (f) => f.id === 'op.logoutForm',
    (u) => u.href.startsWith(SPA_LOGOUT),
  )
  expect(done.url.origin + done.url.pathname).toBe(SPA_LOGOUT)
  expect(done.url.searchParams.get('state')).toBe(state)
  // The provider session is gone: a new authorization asks for the login form again.
  const again = await agent.follow(
    client.authorizationUrl({
      state: 's',
      nonce: 'n',
      codeChallenge: (await createPkce()).challenge,
    }),
    {},
    (u) => u.href.startsWith(SPA_REDIRECT),
  )
  expect(await again.response.text()).toContain('name="prompt" value="login"')
})

test('C-9: client credentials with a resource indicator give a JWT access token for that API', async () => {
  const service = await Client.discover({
    issuer: op.issuer,
    clientId: 'service',
    clientSecret: 'service-secret-0123456789',
  })
  const tokens = await service.clientCredentials({ scope: 'api:read', resource: API })
  expect(tokens.tokenType.toLowerCase()).toBe('bearer')
  expect(tokens.scope).toBe('api:read')
  expect(tokens.idToken).toBeUndefined()
  expect(decodeProtectedHeader(tokens.accessToken).typ).toBe('at+jwt')
  expect(decodeJwt(tokens.accessToken)).toMatchObject({
    iss: op.issuer,
    aud: API,
    client_id: 'service',
    scope: 'api:read',
  })
  // oidc-provider does not introspect or revoke JWT access tokens (RFC 7009 §2.2.1 error).
  for (const call of [service.introspect(tokens.accessToken), service.revoke(tokens.accessToken)]) {
    const refused = await call.catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(OAuthError)
    expect((refused as OAuthError).error).toBe('unsupported_token_type')
  }
  const wrong = await Client.discover({
    issuer: op.issuer,
    clientId: 'service',
    clientSecret: 'nope',
  })
  const err = await wrong
    .clientCredentials({ scope: 'api:read', resource: API })
    .catch((e: unknown) => e)
  expect((err as OAuthError).error).toBe('invalid_client')
})

test("RP-19: the device flow completes once the user approves on oidc-provider's device pages", async () => {
  const cli = await Client.discover({ issuer: op.issuer, clientId: 'cli' })
  const device = await cli.deviceAuthorization({ scope: 'openid email offline_access' })
  expect(device.verificationUri).toBe(`${op.issuer}/device`)
  expect(device.userCode).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/)
  const polling = cli.pollDeviceToken(device, { signal: AbortSignal.timeout(30_000) })
  await approveDevice(new UserAgent(), device.verificationUri, device.userCode, 'alice')
  const tokens = await polling
  expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: 'cli', iss: op.issuer })
  expect(tokens.refreshToken).toEqual(expect.any(String))
  expect(await cli.userinfo(tokens)).toMatchObject({ email: 'alice@example.com' })
})

test('RFC 9126: createAuthorizationUrl({ par: true }) pushes the request to oidc-provider and the flow completes', async () => {
  const client = await webApp()
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = await client.createAuthorizationUrl(
    { scope: 'openid email', state, nonce, codeChallenge: pkce.challenge },
    { par: true },
  )
  expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
  expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'bob',
    redirectUri: WEB_REDIRECT,
  })
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  expect(tokens.claims()).toMatchObject({ sub: 'bob', aud: 'web-app', nonce })
})

test('C-11, RP-18: private_key_jwt client authentication is accepted by oidc-provider', async () => {
  const signed = await Client.discover({
    issuer: op.issuer,
    clientId: 'signed-service',
    privateKey: op.serviceKey,
  })
  const tokens = await signed.clientCredentials({ scope: 'api:read', resource: API })
  expect(decodeJwt(tokens.accessToken)).toMatchObject({ client_id: 'signed-service', aud: API })
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const impostor = await Client.discover({
    issuer: op.issuer,
    clientId: 'signed-service',
    privateKey: { ...(await exportJWK(privateKey)), kid: op.serviceKey.kid },
  })
  const err = await impostor
    .clientCredentials({ scope: 'api:read', resource: API })
    .catch((e: unknown) => e)
  expect((err as OAuthError).error).toBe('invalid_client')
})

test('RP-2, RP-3: with RS256, ES256 and Ed25519 keys in the JWKS, the ID token is checked with the registered algorithm only', async () => {
  const sign = async (client: Client) => {
    const pkce = await createPkce()
    const state = randomState()
    const nonce = randomNonce()
    const url = client.authorizationUrl({ state, nonce, codeChallenge: pkce.challenge })
    const callback = await signInThroughForms(new UserAgent(), url, {
      login: 'alice',
      redirectUri: SPA_REDIRECT,
    })
    return client.authorizationCodeGrant(callback, { state, nonce, codeVerifier: pkce.verifier })
  }
  const es256 = await Client.discover({
    issuer: op.issuer,
    clientId: 'spa-es256',
    redirectUri: SPA_REDIRECT,
    idTokenSigningAlg: 'ES256',
  })
  const tokens = await sign(es256)
  expect(decodeProtectedHeader(tokens.idToken!)).toMatchObject({
    alg: 'ES256',
    kid: 'interop-es256',
  })
  expect(tokens.claims()?.sub).toBe('alice')
  // The same client configured for the RS256 default refuses oidc-provider's ES256 ID token.
  const pinned = await Client.discover({
    issuer: op.issuer,
    clientId: 'spa-es256',
    redirectUri: SPA_REDIRECT,
  })
  await expect(sign(pinned)).rejects.toBeInstanceOf(TokenValidationError)
  const ed25519 = await Client.discover({
    issuer: op.issuer,
    clientId: 'spa-ed25519',
    redirectUri: SPA_REDIRECT,
    idTokenSigningAlg: 'Ed25519',
  })
  const edTokens = await sign(ed25519)
  expect(decodeProtectedHeader(edTokens.idToken!).alg).toBe('Ed25519')
  expect(edTokens.claims()?.sub).toBe('alice')
})

test('OIDC Core §3.1.2.1: max_age makes oidc-provider send auth_time, which core checks', async () => {
  const client = await spa()
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    state,
    nonce,
    codeChallenge: pkce.challenge,
    max_age: '600',
  })
  // auth_time is the moment of this sign-in: within it, however long it took.
  const before = Math.floor(Date.now() / 1000)
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  const after = Math.ceil(Date.now() / 1000)
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
    maxAge: 600,
  })
  const authTime = tokens.claims()!.auth_time!
  expect(authTime).toBeGreaterThanOrEqual(before)
  expect(authTime).toBeLessThanOrEqual(after)
})

test("a confidential client's refresh token is not rotated by oidc-provider; core keeps it", async () => {
  const client = await webApp()
  const { tokens } = await codeFlow(client, WEB_REDIRECT)
  const once = await client.refresh(tokens)
  const twice = await client.refresh(once)
  expect(once.refreshToken).toBe(tokens.refreshToken)
  expect(twice.refreshToken).toBe(tokens.refreshToken)
  expect(twice.accessToken).not.toBe(once.accessToken)
  expect(twice.claims()?.sub).toBe('alice')
  // RFC 6749 §6: a narrower scope on refresh.
  const narrow = await client.refresh(twice, { scope: 'openid email' })
  expect(narrow.scope?.split(' ').sort()).toEqual(['email', 'openid'])
})

test('RFC 6750 §3.1: userinfo refuses an access token minted for an API; core reports invalid_token', async () => {
  const client = await spa()
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid api:read',
    state,
    nonce,
    codeChallenge: pkce.challenge,
    resource: API,
  })
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  expect(decodeJwt(tokens.accessToken).aud).toBe(API)
  const err = await client.userinfo(tokens).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect((err as OAuthError).error).toBe('invalid_token')
  expect((err as OAuthError).status).toBe(401)
})

test('RP-6: a signed (application/jwt) userinfo response from oidc-provider is verified and read', async () => {
  const client = await Client.discover({
    issuer: op.issuer,
    clientId: 'spa-signed-userinfo',
    redirectUri: SPA_REDIRECT,
  })
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid email',
    state,
    nonce,
    codeChallenge: pkce.challenge,
  })
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  const raw = await fetch(client.issuer.metadata.userinfo_endpoint!, {
    headers: { authorization: `Bearer ${tokens.accessToken}` },
  })
  expect(raw.headers.get('content-type')).toContain('application/jwt')
  const info = await client.userinfo(tokens)
  expect(info).toMatchObject({ sub: 'alice', email: 'alice@example.com' })
})
