import { OAuthError, TokenValidationError } from '@oidckit/browser-pkce'
import fc from 'fast-check'
import { afterEach, expect, test } from 'vitest'
import { hostileReturnTo, staysOn } from '../../core/test/return-to-arbitrary'
import {
  authorize,
  issuer,
  memory,
  newIdp,
  openTab,
  redirectUri,
  signIn,
  tokenRequests,
  type Tab,
} from './harness'

const tabs: Tab[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.auth.destroy()
})
function tab(...args: Parameters<typeof openTab>) {
  const t = openTab(...args)
  tabs.push(t)
  return t
}

test('C-1, C-4, C-6, C-7: login sends code + PKCE S256 with state and nonce', async () => {
  const idp = newIdp()
  const { auth, location } = tab(idp)
  await auth.login()
  const url = new URL(location.assigned[0]!)
  expect(url.origin + url.pathname).toBe('https://idp.test/oauth/authorize')
  expect(url.searchParams.get('response_type')).toBe('code')
  expect(url.searchParams.get('code_challenge_method')).toBe('S256')
  expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/)
  expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/)
  expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/)
  expect(url.searchParams.get('redirect_uri')).toBe(redirectUri)
  expect(url.searchParams.get('scope')).toBe('openid profile email offline_access')
})

test('signs in through mock-idp and exposes the user', async () => {
  const idp = newIdp()
  const t = tab(idp)
  const seen: boolean[] = []
  t.auth.subscribe((state) => seen.push(state.isAuthenticated))
  const { returnTo } = await signIn(idp, t, '/account?tab=1#top')
  expect(returnTo).toBe('/account?tab=1#top')
  expect(t.auth.isAuthenticated).toBe(true)
  expect(t.auth.user?.sub).toBe('user-alice')
  expect(t.auth.user?.name).toBe('Alice Liddell')
  expect(t.auth.getState()).toMatchObject({ isLoading: false, error: undefined })
  expect(seen.at(-1)).toBe(true)
  const token = await t.auth.getAccessToken()
  const info = await idp.fetch(
    new Request('https://idp.test/oauth/userinfo', {
      headers: { authorization: `Bearer ${token}` },
    }),
  )
  expect(info.status).toBe(200)
})

test('removes code and state from the address bar after the callback', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  const url = new URL(t.location.current)
  expect(url.pathname).toBe('/callback')
  expect([...url.searchParams.keys()]).toEqual([])
})

test('C-14: removes the transaction after use and rejects the same state again', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = await authorize(idp, t.location.assigned[0]!)
  expect(t.transactions.map.size).toBe(1)
  await t.auth.handleRedirectCallback(callback)
  expect(t.transactions.map.size).toBe(0)
  // A fresh instance (a reload) with the same URL: the state is spent.
  const storage = memory()
  for (const [k, v] of t.transactions.map) storage.map.set(k, v)
  const reloaded = tab(idp, { adapters: { transactionStorage: storage } })
  const err = await reloaded.auth.handleRedirectCallback(callback).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(TokenValidationError)
  expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_RESPONSE_INVALID', claim: 'state' })
  expect(reloaded.auth.getState().error).toBe(err)
})

test('handles the callback once when called twice, as under StrictMode', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = await authorize(idp, t.location.assigned[0]!)
  const first = t.auth.handleRedirectCallback(callback)
  const second = t.auth.handleRedirectCallback(callback)
  expect(second).toBe(first)
  await first
  expect(tokenRequests(idp, 'authorization_code')).toBe(1)
})

test('C-1: rejects a callback whose state was never issued', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = new URL(await authorize(idp, t.location.assigned[0]!))
  callback.searchParams.set('state', 'forged-state')
  await expect(t.auth.handleRedirectCallback(callback.href)).rejects.toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
  })
  expect(tokenRequests(idp, 'authorization_code')).toBe(0)
  expect(t.auth.isAuthenticated).toBe(false)
})

test('rejects a callback without a state', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await expect(t.auth.handleRedirectCallback(`${redirectUri}?code=abc`)).rejects.toBeInstanceOf(
    TokenValidationError,
  )
})

test('C-4: a tampered code fails at the token endpoint with a typed error', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = new URL(await authorize(idp, t.location.assigned[0]!))
  callback.searchParams.set('code', 'tampered')
  const err = await t.auth.handleRedirectCallback(callback.href).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'invalid_grant' })
  expect(t.auth.getState()).toMatchObject({ isAuthenticated: false, isLoading: false, error: err })
})

test('RP-8: a callback with another issuer in iss is refused', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = new URL(await authorize(idp, t.location.assigned[0]!))
  callback.searchParams.set('iss', 'https://evil.test')
  await expect(t.auth.handleRedirectCallback(callback.href)).rejects.toBeInstanceOf(
    TokenValidationError,
  )
  expect(tokenRequests(idp, 'authorization_code')).toBe(0)
})

test('RP-9: a transaction started for another client is refused', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = await authorize(idp, t.location.assigned[0]!)
  const other = tab(idp, {
    clientId: 'other-spa',
    adapters: { transactionStorage: t.transactions },
  })
  await expect(other.auth.handleRedirectCallback(callback)).rejects.toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'clientId',
  })
})

test('an error on the callback surfaces as OAuthError and in the error state', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const state = new URL(t.location.assigned[0]!).searchParams.get('state')!
  const err = await t.auth
    .handleRedirectCallback(
      `${redirectUri}?error=access_denied&state=${state}&iss=https%3A%2F%2Fidp.test`,
    )
    .catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_RESPONSE', error: 'access_denied' })
  expect(t.auth.getState().error).toBe(err)
})

test.each([
  'https://evil.test/x',
  '//evil.test/x',
  '/\\evil.test',
  '/.//evil.test',
  '/..//evil.test/x',
  '/%2e%2e//evil.test',
  '/a/..//evil.test',
  'javascript:alert(1)',
  'account',
])('C-2: refuses a returnTo of %s', async (returnTo) => {
  const idp = newIdp()
  const t = tab(idp)
  await expect(t.auth.login({ returnTo })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  expect(t.location.assigned).toEqual([])
  expect(t.transactions.map.size).toBe(0)
})

test('C-2: no generated returnTo is kept for after the login unless it stays on this origin', async () => {
  const idp = newIdp()
  const t = tab(idp)
  const origin = new URL(redirectUri).origin
  await fc.assert(
    fc.asyncProperty(hostileReturnTo(), async (returnTo) => {
      t.transactions.map.clear()
      try {
        await t.auth.login({ returnTo })
      } catch (err) {
        expect(err).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
        expect(t.transactions.map.size).toBe(0)
        return
      }
      const [stored] = [...t.transactions.map.values()]
      expect(staysOn((JSON.parse(stored!) as { returnTo: string }).returnTo, origin)).toBe(true)
    }),
    { numRuns: 500 },
  )
})

test('C-2: no generated returnTo leads off this origin after login', async () => {
  const idp = newIdp()
  const t = tab(idp)
  const origin = new URL(redirectUri).origin
  await fc.assert(
    fc.asyncProperty(hostileReturnTo(), async (returnTo) => {
      let result: { returnTo: string }
      try {
        result = await signIn(idp, t, returnTo)
      } catch (err) {
        expect(err).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
        return
      }
      expect(staysOn(result.returnTo, origin)).toBe(true)
    }),
    { numRuns: 30 },
  )
})

test('C-17: state carries no application data; returnTo stays in the transaction', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login({ returnTo: '/secret-page?x=1' })
  await t.auth.login({ returnTo: '/secret-page?x=1' })
  const states = t.location.assigned.map((url) => new URL(url).searchParams.get('state')!)
  // Opaque, unguessable and fresh per login: nothing to tamper with or swap.
  expect(states[0]).not.toBe(states[1])
  for (const state of states) {
    expect(state).toMatch(/^[\w-]{43}$/)
    expect(state).not.toContain('secret')
    expect(atob(state.replace(/-/g, '+').replace(/_/g, '/') + '=')).not.toContain('secret')
  }
})

test('C-2: a returnTo tampered in storage falls back to /', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login({ returnTo: '/ok' })
  const [key, value] = [...t.transactions.map][0]!
  t.transactions.map.set(key, value.replace('"/ok"', '"https://evil.test/"'))
  const callback = await authorize(idp, t.location.assigned[0]!)
  await expect(t.auth.handleRedirectCallback(callback)).resolves.toEqual({ returnTo: '/' })
})

test('C-2: a stored returnTo that normalises to another host falls back to /', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login({ returnTo: '/ok' })
  const [key, value] = [...t.transactions.map][0]!
  t.transactions.map.set(key, value.replace('"/ok"', '"/.//evil.test/"'))
  const callback = await authorize(idp, t.location.assigned[0]!)
  await expect(t.auth.handleRedirectCallback(callback)).resolves.toEqual({ returnTo: '/' })
})

test('a transaction storage that throws makes login fail with a clear error', async () => {
  const idp = newIdp()
  const t = tab(idp, {
    adapters: {
      transactionStorage: {
        getItem: () => null,
        setItem: () => {
          throw new DOMException('quota', 'QuotaExceededError')
        },
        removeItem: () => {},
      },
    },
  })
  const err = await t.auth.login().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(TypeError)
  expect(err).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  expect((err as Error).message).toMatch(/sessionStorage/)
  expect(t.location.assigned).toEqual([])
})

test('a corrupted transaction is refused without a crash', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const [key] = [...t.transactions.map.keys()]
  t.transactions.map.set(key!, '{not json')
  const callback = await authorize(idp, t.location.assigned[0]!)
  await expect(t.auth.handleRedirectCallback(callback)).rejects.toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
  })
})

test('refuses options without issuer, clientId or an absolute redirectUri', () => {
  const idp = newIdp()
  expect(() => openTab(idp, { issuer: '' })).toThrow(TypeError)
  expect(() => openTab(idp, { redirectUri: '/callback' })).toThrow(/absolute URL/)
})

test('RFC 9126: login() pushes the request when the provider requires PAR', async () => {
  const idp = newIdp()
  let pushed: URLSearchParams | undefined
  // mock-idp has no PAR endpoint: its discovery document gains one, answered here.
  const fetch = async (request: Request) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/par') {
      pushed = new URLSearchParams(await request.text())
      return Response.json(
        { request_uri: 'urn:ietf:params:oauth:request_uri:r1', expires_in: 60 },
        { status: 201 },
      )
    }
    const response = await idp.fetch(request)
    if (!pathname.endsWith('/openid-configuration')) return response
    return Response.json({
      ...((await response.json()) as object),
      pushed_authorization_request_endpoint: `${issuer}/par`,
      require_pushed_authorization_requests: true,
    })
  }
  const t = openTab(idp, { fetch })
  await t.auth.login({ returnTo: '/inbox' })
  const url = new URL(t.location.assigned.at(-1)!)
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: 'spa',
    request_uri: 'urn:ietf:params:oauth:request_uri:r1',
  })
  expect(pushed?.get('code_challenge_method')).toBe('S256')
  expect(pushed?.get('redirect_uri')).toBe(redirectUri)
  t.auth.destroy()
})
