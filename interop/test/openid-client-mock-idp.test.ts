// mock-idp against openid-client v6 (panva's certified RP) over loopback HTTP. The auth code +
// PKCE / userinfo / refresh, client credentials / introspection / revocation and in-process
// device flow cases live in mock-idp/test/interop.test.ts; this file covers the rest: a
// confidential client's code flow, signature checks on openid-client's side (non-repudiation,
// key rotation), max_age, refresh-token reuse, private_key_jwt, the device flow through the
// /device pages over HTTP, and the end session URL.
import { createMockIdp, defaultConfig, type MockIdp, type MockIdpServer } from '@oidckit/mock-idp'
import { exportJWK, generateKeyPair } from 'jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { UserAgent } from '../src/user-agent'

const SPA_REDIRECT = 'http://localhost:5173/callback'
const SPA_LOGOUT = 'http://localhost:5173/'
const WEB_REDIRECT = 'http://localhost:3000/callback'

let idp: MockIdp
let server: MockIdpServer
const ASSERTION_ALGS = ['ES256', 'Ed25519', 'PS256'] as const
const signingKeys = new Map<string, CryptoKey>()

beforeAll(async () => {
  const signedClients = []
  for (const alg of ASSERTION_ALGS) {
    const pair = await generateKeyPair(alg, { extractable: true })
    signingKeys.set(alg, pair.privateKey)
    signedClients.push({
      clientId: `signed-${alg}`,
      tokenEndpointAuthMethod: 'private_key_jwt' as const,
      jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'svc-1' }] },
      grantTypes: ['client_credentials' as const],
      scope: 'api:read',
      audience: 'http://localhost:4000',
    })
  }
  idp = createMockIdp({
    deviceCodeInterval: 1,
    clients: [...defaultConfig().clients, ...signedClients],
  })
  server = await idp.listen({ port: 0 })
})
afterAll(() => server?.close())

const discover = (clientId: string, auth: oidc.ClientAuth = oidc.None(), secret?: string) =>
  oidc.discovery(new URL(server.url), clientId, secret, auth, {
    execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
  })

/** The code flow through mock-idp's login form over HTTP; openid-client builds and redeems. */
async function signIn(
  config: oidc.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
  agent = new UserAgent(),
) {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  })
  const atApp = (u: URL) => u.href.startsWith(redirectUri)
  const first = await agent.follow(url, {}, atApp)
  let at = first.url
  if (!atApp(at)) {
    const html = await first.response.text()
    ;({ url: at } = await agent.submit(
      { html, url: at },
      { username: 'alice', password: 'alice-password' },
      (form) => form.fields.has('username'),
      atApp,
    ))
  }
  const tokens = await oidc.authorizationCodeGrant(config, at, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    ...(extra.max_age ? { maxAge: Number(extra.max_age) } : {}),
  })
  return { tokens, agent, callback: at }
}

test('AS-4, AS-8: a confidential client (client_secret_post) signs in through the login form; openid-client verifies the ID token signature', async () => {
  const config = await discover(
    'web-app',
    oidc.ClientSecretPost('web-app-secret'),
    'web-app-secret',
  )
  const { tokens, callback } = await signIn(config, WEB_REDIRECT)
  expect(callback.searchParams.get('iss')).toBe(server.url)
  expect(tokens.claims()).toMatchObject({
    iss: server.url,
    sub: 'user-alice',
    aud: 'web-app',
    email: 'alice@example.com',
  })
  expect(tokens.refresh_token).toEqual(expect.any(String))
  const info = await oidc.fetchUserInfo(config, tokens.access_token, 'user-alice')
  expect(info).toMatchObject({ sub: 'user-alice', name: 'Alice Liddell', owner: 'acme' })
})

test('AS-9: max_age is honoured with an auth_time that openid-client checks', async () => {
  const config = await discover('spa')
  // auth_time is the moment of this sign-in: within it, however long it took.
  const before = Math.floor(Date.now() / 1000)
  const { tokens } = await signIn(config, SPA_REDIRECT, { max_age: '300' })
  const after = Math.ceil(Date.now() / 1000)
  const claims = tokens.claims()!
  expect(claims.auth_time).toEqual(expect.any(Number))
  expect(claims.auth_time).toBeGreaterThanOrEqual(before)
  expect(claims.auth_time).toBeLessThanOrEqual(after)
})

test('AS-8: after rotateKeys() the JWKS serves both keys and openid-client verifies tokens signed with the new one', async () => {
  const before = await signIn(await discover('spa'), SPA_REDIRECT)
  idp.rotateKeys()
  // A fresh configuration: oauth4webapi refetches a cached JWKS for an unknown kid only after
  // 60 s (as oidckit does, RP-3), and mock-idp signs with a new key at once (see README).
  const config = await discover('spa')
  const after = await signIn(config, SPA_REDIRECT)
  const kid = (jwt: string) => JSON.parse(atob(jwt.split('.')[0]!)).kid as string
  expect(kid(after.tokens.id_token!)).not.toBe(kid(before.tokens.id_token!))
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks`)).json()) as {
    keys: { kid: string }[]
  }
  expect(jwks.keys.map((k) => k.kid)).toEqual(
    expect.arrayContaining([kid(before.tokens.id_token!), kid(after.tokens.id_token!)]),
  )
  // The first login's refresh token still works, and its new ID token is checked too.
  const refreshed = await oidc.refreshTokenGrant(config, before.tokens.refresh_token!)
  expect(refreshed.claims()?.sub).toBe('user-alice')
})

test('AS-7, S-6: reusing a rotated refresh token fails at openid-client and revokes the family', async () => {
  const config = await discover('spa')
  const { tokens } = await signIn(config, SPA_REDIRECT)
  const next = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
  const reuse = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e: unknown) => e)
  expect(reuse).toBeInstanceOf(oidc.ResponseBodyError)
  expect((reuse as oidc.ResponseBodyError).error).toBe('invalid_grant')
  const family = await oidc.refreshTokenGrant(config, next.refresh_token!).catch((e: unknown) => e)
  expect((family as oidc.ResponseBodyError).error).toBe('invalid_grant')
  const webApp = await discover(
    'web-app',
    oidc.ClientSecretBasic('web-app-secret'),
    'web-app-secret',
  )
  const own = await signIn(webApp, WEB_REDIRECT)
  const introspected = await oidc.tokenIntrospection(webApp, own.tokens.refresh_token!)
  expect(introspected).toMatchObject({ active: true, client_id: 'web-app', sub: 'user-alice' })
})

test.each(ASSERTION_ALGS)(
  'AS-6: openid-client authenticates with a %s private_key_jwt assertion for client credentials',
  async (alg) => {
    const clientId = `signed-${alg}`
    const key = signingKeys.get(alg)!
    const config = await discover(clientId, oidc.PrivateKeyJwt({ key, kid: 'svc-1' }))
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api:read' })
    expect(tokens.scope).toBe('api:read')
    const payload = JSON.parse(atob(tokens.access_token.split('.')[1]!))
    expect(payload).toMatchObject({ client_id: clientId, aud: 'http://localhost:4000' })
    const wrongKey = (await generateKeyPair(alg)).privateKey
    const bad = await discover(clientId, oidc.PrivateKeyJwt({ key: wrongKey, kid: 'svc-1' }))
    const err = await oidc
      .clientCredentialsGrant(bad, { scope: 'api:read' })
      .catch((e: unknown) => e)
    expect((err as oidc.ResponseBodyError).error).toBe('invalid_client')
  },
)

test('AS-12: the device flow over HTTP, approved through the /device pages, with openid-client polling', async () => {
  const config = await discover('cli')
  const device = await oidc.initiateDeviceAuthorization(config, {
    scope: 'openid profile offline_access',
  })
  expect(device.verification_uri).toBe(`${server.url}/device`)
  const polling = oidc.pollDeviceAuthorizationGrant(config, device)
  const agent = new UserAgent()
  let page = await agent.follow(device.verification_uri)
  const steps: Record<string, string>[] = [
    { user_code: device.user_code.toLowerCase() },
    { username: 'alice', password: 'alice-password' },
    { action: 'approve' },
  ]
  for (const fields of steps) {
    const html = await page.response.text()
    expect(page.response.status).toBe(200)
    page = await agent.submit({ html, url: page.url }, fields)
  }
  const tokens = await polling
  expect(tokens.claims()).toMatchObject({ sub: 'user-alice', aud: 'cli' })
  expect(tokens.refresh_token).toEqual(expect.any(String))
  expect(await oidc.fetchUserInfo(config, tokens.access_token, 'user-alice')).toMatchObject({
    name: 'Alice Liddell',
  })
})

test('AS-12: a device login the user denies ends in access_denied at openid-client', async () => {
  const config = await discover('cli')
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' })
  const polling = oidc.pollDeviceAuthorizationGrant(config, device).catch((e: unknown) => e)
  const agent = new UserAgent()
  let page = await agent.follow(`${device.verification_uri}`)
  const steps: Record<string, string>[] = [
    { user_code: device.user_code },
    { username: 'bob', password: 'bob-password' },
    { action: 'deny' },
  ]
  for (const fields of steps) {
    page = await agent.submit({ html: await page.response.text(), url: page.url }, fields)
  }
  const err = await polling
  expect((err as oidc.ResponseBodyError).error).toBe('access_denied')
})

test("AS-11: openid-client's end session URL signs out and returns to the registered URI with the state", async () => {
  const config = await discover('spa')
  const { tokens, agent } = await signIn(config, SPA_REDIRECT)
  const state = oidc.randomState()
  const url = oidc.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token!,
    post_logout_redirect_uri: SPA_LOGOUT,
    state,
  })
  expect(url.pathname).toBe('/oauth/logout')
  const done = await agent.follow(url, {}, (u) => u.href.startsWith(SPA_LOGOUT))
  expect(done.url.origin + done.url.pathname).toBe(SPA_LOGOUT)
  expect(done.url.searchParams.get('state')).toBe(state)
  // The IdP session ended: the next authorization shows the login form again.
  const again = await agent.follow(
    oidc.buildAuthorizationUrl(config, {
      redirect_uri: SPA_REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    }),
    {},
    (u) => u.href.startsWith(SPA_REDIRECT),
  )
  expect(await again.response.text()).toContain('name="password"')
  // Without a valid id_token_hint mock-idp does not redirect (AS-11).
  const unhinted = await agent.follow(
    oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: SPA_LOGOUT, state }),
    {},
    (u) => u.href.startsWith(SPA_LOGOUT),
  )
  expect(unhinted.url.href.startsWith(SPA_LOGOUT)).toBe(false)
})

test('RFC 8414: openid-client discovers mock-idp through /.well-known/oauth-authorization-server', async () => {
  const config = await oidc.discovery(
    new URL(server.url),
    'service',
    'service-secret',
    oidc.ClientSecretBasic('service-secret'),
    { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' },
  )
  expect(config.serverMetadata().token_endpoint).toBe(`${server.url}/oauth/token`)
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api:write' })
  expect(tokens.scope).toBe('api:write')
  await oidc.tokenRevocation(config, tokens.access_token)
  expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false })
})

test('AS-4, AS-9: prompt=none answers login_required with iss, which openid-client accepts as the error; with a session, a code', async () => {
  const config = await discover('spa')
  const verifier = oidc.randomPKCECodeVerifier()
  const silent = async () =>
    oidc.buildAuthorizationUrl(config, {
      redirect_uri: SPA_REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'silent',
      nonce: 'silent-nonce',
      prompt: 'none',
    })
  const atApp = (u: URL) => u.href.startsWith(SPA_REDIRECT)
  const agent = new UserAgent()
  const anonymous = await agent.follow(await silent(), {}, atApp)
  expect(anonymous.url.searchParams.get('iss')).toBe(server.url)
  const err = await oidc
    .authorizationCodeGrant(config, anonymous.url, {
      pkceCodeVerifier: verifier,
      expectedState: 'silent',
    })
    .catch((e: unknown) => e)
  expect(err).toBeInstanceOf(oidc.AuthorizationResponseError)
  expect((err as oidc.AuthorizationResponseError).error).toBe('login_required')

  const { tokens } = await signIn(config, SPA_REDIRECT, {}, agent)
  const signedIn = await agent.follow(await silent(), {}, atApp)
  const again = await oidc.authorizationCodeGrant(config, signedIn.url, {
    pkceCodeVerifier: verifier,
    expectedState: 'silent',
    expectedNonce: 'silent-nonce',
  })
  expect(again.claims()?.sub).toBe('user-alice')
  // RFC 6749 §6: a refresh may narrow the scope.
  const narrow = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'openid' })
  expect(narrow.scope).toBe('openid')
})
