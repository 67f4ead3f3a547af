import { afterEach, describe, expect, test, vi } from 'vitest'
import { createMockIdp, defaultConfig } from '@oidckit/mock-idp'
import { createWebAuth, memorySessionStore } from '@oidckit/node-server'
import type { WebAuth } from '@oidckit/node-server'
import { BASE, ISSUER, setup, signIn, withCookies } from './support/web-flow'

const loginUrl = async (web: WebAuth, path = '/login', options?: Parameters<WebAuth['login']>[1]) =>
  new URL((await web.login(new Request(`${BASE}${path}`), options)).headers.get('location')!)

describe('sessionInfo', () => {
  // Date stands still, for mock-idp and the web auth alike, so expiry times are exact.
  afterEach(() => {
    vi.useRealTimers()
  })

  test('answers the signed-in user and the session expiry, never a token, no-store', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { idp, web } = setup()
    const { cookies } = await signIn(web, idp)
    const session = (await web.getSession(withCookies(cookies)))!
    const res = await web.sessionInfo(withCookies(cookies, '/auth/session'))
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const text = await res.text()
    const body = JSON.parse(text)
    expect(body).toMatchObject({
      authenticated: true,
      user: { sub: 'user-alice', name: 'Alice Liddell', email: 'alice@example.com' },
      expiresAt: Math.floor(Date.now() / 1000) + 7 * 86_400,
    })
    for (const claim of ['nonce', 'at_hash', 'exp', 'iat'])
      expect(body.user).not.toHaveProperty(claim)
    for (const token of [session.accessToken, session.idToken!, session.tokens.refreshToken!]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(token.split('.')[2] ?? token)
    }
  })

  test('answers 200 { authenticated: false } when signed out, and clears a cookie that does not open', async () => {
    const { web } = setup()
    const none = await web.sessionInfo(new Request(`${BASE}/auth/session`))
    expect(none.status).toBe(200)
    expect(await none.json()).toEqual({ authenticated: false })
    const junk = await web.sessionInfo(withCookies('oidckit-web-app=junk', '/auth/session'))
    expect(await junk.json()).toEqual({ authenticated: false })
    expect(junk.headers.getSetCookie()[0]).toMatch(/^oidckit-web-app=; .*Max-Age=0/)
  })

  test('with a store, expiresAt is the idle expiry, pushed back by use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const idp = createMockIdp({ issuer: ISSUER, autoLogin: 'alice' })
    const clock = () => idp.clock.now() * 1000
    const { web } = setup({ store: memorySessionStore({ clock }), clock, sessionIdleTtl: 600 }, idp)
    const { cookies } = await signIn(web, idp)
    const start = Math.floor(idp.clock.now())
    const info = async () => (await (await web.sessionInfo(withCookies(cookies))).json()).expiresAt
    expect(await info()).toBe(start + 600)
    idp.clock.advance(120)
    await info()
    expect(await info()).toBe(start + 120 + 600)
  })

  test('takes GET only', async () => {
    const { web } = setup()
    const res = await web.sessionInfo(new Request(`${BASE}/auth/session`, { method: 'POST' }))
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
  })
})

describe('authorization parameters', () => {
  test('sends the authorizationParams option with every login', async () => {
    const { web } = setup({
      authorizationParams: {
        prompt: 'login',
        login_hint: 'bob',
        max_age: 300,
        acr_values: 'urn:mace:incommon:iap:silver',
        ui_locales: 'fr-CA fr',
        resource: 'https://api.example.com/',
        claims_locales: 'fr',
      },
    })
    const url = await loginUrl(web)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      prompt: 'login',
      login_hint: 'bob',
      max_age: '300',
      acr_values: 'urn:mace:incommon:iap:silver',
      ui_locales: 'fr-CA fr',
      resource: 'https://api.example.com/',
      claims_locales: 'fr',
    })
  })

  test('a login’s own parameters override the option’s; the scope may change per login', async () => {
    const { web } = setup({ authorizationParams: { prompt: 'login', ui_locales: 'fr' } })
    const url = await loginUrl(web, '/login', {
      authorizationParams: { prompt: 'consent', scope: 'openid email' },
    })
    expect(url.searchParams.get('prompt')).toBe('consent')
    expect(url.searchParams.get('ui_locales')).toBe('fr')
    expect(url.searchParams.get('scope')).toBe('openid email')
  })

  test('does not forward the login request’s query parameters unless the app allows them by name', async () => {
    const { web } = setup()
    const plain = await loginUrl(
      web,
      '/login?prompt=none&login_hint=bob&acr_values=x&redirect_uri=https://evil.example/',
    )
    for (const name of ['prompt', 'login_hint', 'acr_values'])
      expect(plain.searchParams.has(name)).toBe(false)
    expect(plain.searchParams.get('redirect_uri')).toBe(`${BASE}/callback`)

    const { web: allowing } = setup({ forwardAuthorizationParams: ['login_hint', 'max_age'] })
    const url = await loginUrl(allowing, '/login?prompt=none&login_hint=bob&max_age=abc')
    expect(url.searchParams.get('login_hint')).toBe('bob')
    expect(url.searchParams.has('prompt')).toBe(false)
    expect(url.searchParams.has('max_age')).toBe(false)
  })

  test('a forwarded login_hint reaches the provider, which signs that user in', async () => {
    const idp = createMockIdp({ issuer: ISSUER, autoLogin: true })
    const { web } = setup({ forwardAuthorizationParams: ['login_hint'] }, idp)
    const login = await web.login(new Request(`${BASE}/login?login_hint=bob`))
    const authorize = await idp.fetch(new Request(login.headers.get('location')!))
    const callback = await web.callback(
      new Request(authorize.headers.get('location')!, {
        headers: { cookie: login.headers.getSetCookie()[0]!.split(';')[0]! },
      }),
    )
    const cookies = callback.headers
      .getSetCookie()
      .map((l) => l.split(';')[0])
      .join('; ')
    expect((await web.getSession(withCookies(cookies)))?.user.sub).toBe('user-bob')
  })

  test('max_age goes to the provider and auth_time is checked at the callback', async () => {
    const { idp, web } = setup({ authorizationParams: { max_age: '60' } })
    const { callback, cookies } = await signIn(web, idp)
    expect(callback.status).toBe(303)
    expect((await web.getSession(withCookies(cookies)))?.user.auth_time).toEqual(expect.any(Number))
  })

  test('refuses parameters oidckit sets itself, and malformed ones, with a TypeError', async () => {
    for (const params of [
      { state: 'x' },
      { redirect_uri: 'https://evil.example/' },
      { max_age: -1 },
      { prompt: 1 as unknown as string },
    ]) {
      expect(() => setup({ authorizationParams: params })).toThrow(TypeError)
    }
    expect(() => setup({ forwardAuthorizationParams: ['code_challenge'] })).toThrow(TypeError)
    const { web } = setup()
    await expect(
      web.login(new Request(`${BASE}/login`), { authorizationParams: { nonce: 'n' } }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  test('C-2: a returnTo given by the app must stay on this origin too', async () => {
    const { idp, web } = setup()
    const login = await web.login(new Request(`${BASE}/login`), { returnTo: '//evil.example/' })
    const authorize = await idp.fetch(new Request(login.headers.get('location')!))
    const callback = await web.callback(
      new Request(authorize.headers.get('location')!, {
        headers: { cookie: login.headers.getSetCookie()[0]!.split(';')[0]! },
      }),
    )
    expect(callback.headers.get('location')).toBe('/')
  })
})

describe('fetchUserinfo', () => {
  /** mock-idp, with its UserInfo answers rewritten by `edit`. */
  function userinfoWorld(edit: (claims: Record<string, unknown>) => Record<string, unknown>) {
    const idp = createMockIdp({ issuer: ISSUER, autoLogin: 'alice' })
    const fetch = async (request: Request) => {
      const response = await idp.fetch(request)
      if (new URL(request.url).pathname !== '/oauth/userinfo') return response
      return Response.json(edit((await response.json()) as Record<string, unknown>))
    }
    return setup({ fetch, fetchUserinfo: true }, idp)
  }

  test('merges UserInfo claims into the user at login; ID token claims about the token stay', async () => {
    const { idp, web } = userinfoWorld((claims) => ({
      ...claims,
      favorite_color: 'blue',
      iss: 'https://other.test',
      sid: 'forged',
    }))
    const { cookies } = await signIn(web, idp)
    const user = (await web.getSession(withCookies(cookies)))!.user as Record<string, unknown>
    expect(user).toMatchObject({ sub: 'user-alice', favorite_color: 'blue', iss: ISSUER })
    expect(user.sid).not.toBe('forged')
  })

  test('RP-6: a UserInfo sub that differs from the ID token’s starts no session', async () => {
    const { idp, web } = userinfoWorld((claims) => ({ ...claims, sub: 'user-bob' }))
    const { callback } = await signIn(web, idp)
    expect(callback.status).toBe(400)
    expect(await callback.text()).toContain('ERR_USERINFO_SUBJECT_MISMATCH')
    expect(callback.headers.getSetCookie().some((l) => l.startsWith('oidckit-web-app='))).toBe(
      false,
    )
  })
})

test('RP-21: mock-idp’s own back-channel logout, on idp.endSessions(), ends the session', async () => {
  const base = defaultConfig()
  const idp = createMockIdp({
    ...base,
    issuer: ISSUER,
    autoLogin: 'alice',
    clients: base.clients!.map((client) =>
      client.clientId === 'web-app'
        ? { ...client, backchannelLogoutUri: `${BASE}/backchannel-logout` }
        : client,
    ),
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      web.backchannelLogout(new Request(input, init)),
  })
  const web = createWebAuth({
    issuer: ISSUER,
    clientId: 'web-app',
    clientSecret: 'web-app-secret',
    baseUrl: BASE,
    secret: 'a-test-secret-that-is-long-enough-1234',
    fetch: idp.fetch,
    clock: () => idp.clock.now() * 1000,
    store: memorySessionStore(),
  })
  const { cookies } = await signIn(web, idp)
  expect(await web.getSession(withCookies(cookies))).not.toBeNull()
  expect(await idp.endSessions('alice')).toBeGreaterThan(0)
  await idp.flush()
  expect(await web.getSession(withCookies(cookies))).toBeNull()
})
