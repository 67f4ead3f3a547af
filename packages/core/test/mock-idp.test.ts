import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { setupServer } from 'msw/node'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import { mockIdpHandlers } from '@oidckit/mock-idp/msw'
import { Client, createPkce, randomNonce, randomState } from '@oidckit/core'
import type { FetchLike } from '@oidckit/core'

type AppClaims = { email: string; owner: string; isAdmin: boolean }

interface Transport {
  idp: MockIdp
  /** What the client is given as `fetch`: `idp.fetch`, or the global fetch (MSW, HTTP). */
  fetch: FetchLike | undefined
}

const SPA_REDIRECT = 'http://localhost:5173/callback'

async function follow(transport: Transport, url: URL): Promise<URL> {
  const request = new Request(url, { redirect: 'manual' })
  const response = await (transport.fetch ? transport.fetch(request) : fetch(request))
  const location = response.headers.get('location')
  expect(location, `authorize answered ${response.status}`).toBeTruthy()
  return new URL(location as string, url)
}

let inFlight = 0

/** Counts requests in flight, so fake time only moves while no real I/O is pending. */
function counted(impl: FetchLike | undefined): FetchLike {
  return async (request) => {
    inFlight++
    try {
      return await (impl ?? fetch)(request)
    } finally {
      inFlight--
    }
  }
}

const realTick = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Moves fake time in 1 s steps, but only between requests, until `promise` settles. */
async function settle<T>(promise: Promise<T>, maxSeconds = 120): Promise<T> {
  let done = false
  const tracked = promise.finally(() => {
    done = true
  })
  tracked.catch(() => undefined)
  for (let elapsed = 0; !done && elapsed < maxSeconds;) {
    if (inFlight > 0) {
      await realTick()
    } else {
      await vi.advanceTimersByTimeAsync(1000)
      await realTick()
      elapsed++
    }
  }
  return tracked
}

function scenarios(setup: () => Transport) {
  const discover = <C extends object = AppClaims>(clientId: string, extra = {}) =>
    Client.discover<C>({
      issuer: setup().idp.issuer,
      clientId,
      fetch: counted(setup().fetch),
      ...extra,
    })

  async function login(client: Client<AppClaims>) {
    const pkce = await createPkce()
    const state = randomState()
    const nonce = randomNonce()
    const url = client.authorizationUrl({
      scope: 'openid profile email offline_access',
      state,
      nonce,
      codeChallenge: pkce.challenge,
    })
    const callback = await follow(setup(), url)
    return client.authorizationCodeGrant(callback, { state, nonce, codeVerifier: pkce.verifier })
  }

  test('discovers the provider', async () => {
    const client = await discover('spa')
    expect(client.issuer.identifier).toBe(setup().idp.issuer)
    expect(client.issuer.metadata.token_endpoint).toMatch(/\/oauth\/token$/)
  })

  test('signs a user in with the code flow and PKCE, with typed claims', async () => {
    const client = await discover('spa', { redirectUri: SPA_REDIRECT })
    const tokens = await login(client)
    const claims = tokens.claims()
    expect(claims?.sub).toBe('user-alice')
    const email: string | undefined = claims?.email
    expect(email).toBe('alice@example.com')
    expect(tokens.tokenType).toBe('bearer')
    expect(tokens.refreshToken).toBeTruthy()
    expect(tokens.isExpired()).toBe(false)
  })

  test('signs a confidential client in with client_secret_basic and client_secret_post', async () => {
    for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
      const client = await discover('web-app', {
        clientSecret: 'web-app-secret',
        redirectUri: 'http://localhost:3000/callback',
        tokenEndpointAuthMethod: method,
      })
      const tokens = await login(client)
      expect(tokens.claims()?.aud).toBe('web-app')
    }
  })

  test('refreshes, keeping the same user', async () => {
    const client = await discover('spa', { redirectUri: SPA_REDIRECT })
    const tokens = await login(client)
    const next = await client.refresh(tokens)
    expect(next.accessToken).not.toBe(tokens.accessToken)
    expect(next.claims()?.sub).toBe('user-alice')
    await expect(client.refresh(tokens.refreshToken as string)).rejects.toMatchObject({
      name: 'OAuthError',
      error: 'invalid_grant',
    })
  })

  test('RP-6: fetches UserInfo for the signed-in user', async () => {
    const client = await discover('spa', { redirectUri: SPA_REDIRECT })
    const tokens = await login(client)
    await expect(client.userinfo(tokens)).resolves.toMatchObject({
      sub: 'user-alice',
      email: 'alice@example.com',
    })
    await expect(
      client.userinfo(tokens.accessToken, { expectedSubject: 'user-bob' }),
    ).rejects.toMatchObject({
      code: 'ERR_USERINFO_SUBJECT_MISMATCH',
    })
  })

  test('gets a client-credentials token', async () => {
    const client = await discover('service', { clientSecret: 'service-secret' })
    const tokens = await client.clientCredentials({ scope: 'api:read' })
    expect(tokens.accessToken).toBeTruthy()
    expect(tokens.claims()).toBeUndefined()
    await expect(
      (await discover('service', { clientSecret: 'wrong', forceRefresh: true })).clientCredentials({
        scope: 'api:read',
      }),
    ).rejects.toMatchObject({ name: 'OAuthError', error: 'invalid_client' })
  })

  test('introspects and revokes a token', async () => {
    const client = await discover('service', { clientSecret: 'service-secret' })
    const { accessToken } = await client.clientCredentials({ scope: 'api:read' })
    await expect(
      client.introspect(accessToken, { tokenTypeHint: 'access_token' }),
    ).resolves.toMatchObject({ active: true })
    await client.revoke(accessToken, { tokenTypeHint: 'access_token' })
    await expect(client.introspect(accessToken)).resolves.toMatchObject({ active: false })
    await expect(client.revoke('unknown-token')).resolves.toBeUndefined()
  })

  test('builds the end-session URL', async () => {
    const client = await discover('spa', { redirectUri: SPA_REDIRECT })
    const tokens = await login(client)
    const url = client.endSessionUrl({
      idTokenHint: tokens,
      postLogoutRedirectUri: 'http://localhost:5173/',
      state: 'bye',
    })
    expect(url.pathname).toBe('/oauth/logout')
    expect(url.searchParams.get('id_token_hint')).toBe(tokens.idToken)
    const response = await (setup().fetch ?? fetch)(new Request(url, { redirect: 'manual' }))
    expect(response.status).toBeLessThan(400)
  })

  test('RP-19: completes the device flow after the user approves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const client = await discover('cli')
      const device = await client.deviceAuthorization({ scope: 'openid offline_access' })
      expect(device.userCode).toBeTruthy()
      setup().idp.clearRequests()
      const polling = client.pollDeviceToken(device)
      // authorization_pending until the user approves.
      await settle(Promise.race([polling, new Promise((resolve) => setTimeout(resolve, 12_000))]))
      expect(
        setup()
          .idp.requests()
          .filter((r) => r.endpoint === 'token').length,
      ).toBeGreaterThanOrEqual(2)
      expect(setup().idp.approveDevice(device.userCode, 'alice')).toBe(true)
      const tokens = await settle(polling)
      expect(tokens.claims()?.sub).toBe('user-alice')
    } finally {
      vi.useRealTimers()
    }
  })

  test('RP-19: stops with access_denied when the user denies', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const client = await discover('cli')
      const device = await client.deviceAuthorization({ scope: 'openid' })
      setup().idp.denyDevice(device.userCode)
      await expect(settle(client.pollDeviceToken(device))).rejects.toMatchObject({
        name: 'OAuthError',
        error: 'access_denied',
      })
    } finally {
      vi.useRealTimers()
    }
  })
}

describe('in-process (idp.fetch)', () => {
  const idp = createMockIdp({ issuer: 'http://localhost:9411', autoLogin: 'alice' })
  scenarios(() => ({ idp, fetch: idp.fetch }))
})

describe('in-process through MSW', () => {
  const idp = createMockIdp({ issuer: 'http://localhost:9412', autoLogin: 'alice' })
  const server = setupServer(...mockIdpHandlers(idp))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  scenarios(() => ({ idp, fetch: undefined }))
})

describe('over loopback HTTP', () => {
  const idp = createMockIdp({ autoLogin: 'alice' })
  let close: (() => Promise<void>) | undefined
  beforeAll(async () => {
    const server = await idp.listen({ port: 0 })
    close = () => server.close()
  })
  afterAll(() => close?.())
  scenarios(() => ({ idp, fetch: undefined }))
})
