import { createMockIdp, type MockIdp, type MockIdpServer } from '@oidckit/mock-idp'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { Browser } from './helpers.js'

let idp: MockIdp
let server: MockIdpServer
const discover = (clientId: string, secret?: string) =>
  oidc.discovery(
    new URL(server.url),
    clientId,
    secret,
    secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  )

beforeAll(async () => {
  idp = createMockIdp({ deviceCodeInterval: 1 })
  server = await idp.listen({ port: 0 })
})
afterAll(() => server.close())

test('openid-client drives auth code + PKCE, userinfo and refresh against mock-idp', async () => {
  const config = await discover('spa')
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'http://localhost:5173/callback',
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  const browser = new Browser(idp)
  const page = await browser.request(url.href)
  const redirect = await browser.submit(await page.text(), {
    username: 'alice',
    password: 'alice-password',
  })
  const tokens = await oidc.authorizationCodeGrant(
    config,
    new URL(redirect.headers.get('location')!),
    {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    },
  )
  expect(tokens.claims()).toMatchObject({ sub: 'user-alice', email: 'alice@example.com' })
  const info = await oidc.fetchUserInfo(config, tokens.access_token, 'user-alice')
  expect(info).toMatchObject({ sub: 'user-alice', owner: 'acme' })
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
  expect(refreshed.claims()?.sub).toBe('user-alice')
})

test('openid-client gets client-credentials tokens and introspects and revokes them', async () => {
  const service = await discover('service', 'service-secret')
  const tokens = await oidc.clientCredentialsGrant(service, { scope: 'api:read' })
  expect(tokens.scope).toBe('api:read')
  const webApp = await discover('web-app', 'web-app-secret')
  const own = await idp.issueTokens({ user: 'bob', clientId: 'web-app' })
  expect(await oidc.tokenIntrospection(webApp, own.access_token)).toMatchObject({
    active: true,
    sub: 'user-bob',
  })
  await oidc.tokenRevocation(webApp, own.refresh_token!)
  expect(await oidc.tokenIntrospection(webApp, own.access_token)).toEqual({ active: false })
})

test('openid-client completes the device flow', async () => {
  const config = await discover('cli')
  // In-process, so that fake timers can skip openid-client's wait of one interval.
  config[oidc.customFetch] = (url, options) => idp.fetch(new Request(url, options as RequestInit))
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' })
  vi.useFakeTimers({ toFake: ['setTimeout'] })
  try {
    const polling = oidc.pollDeviceAuthorizationGrant(config, device)
    await vi.advanceTimersByTimeAsync(1000)
    expect(idp.approveDevice(device.user_code, 'alice')).toBe(true)
    idp.clock.advance(1)
    await vi.advanceTimersByTimeAsync(1000)
    const tokens = await polling
    expect(tokens.claims()?.sub).toBe('user-alice')
  } finally {
    vi.useRealTimers()
  }
})
