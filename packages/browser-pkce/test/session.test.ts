import { NetworkError, OAuthError } from '@oidckit/browser-pkce'
import { afterEach, expect, test, vi } from 'vitest'
import { memory, newIdp, openTab, signIn, tokenRequests, type Tab } from './harness'

const tabs: Tab[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.auth.destroy()
  sessionStorage.clear()
  localStorage.clear()
})
function tab(...args: Parameters<typeof openTab>) {
  const t = openTab(...args)
  tabs.push(t)
  return t
}

test('getAccessToken returns the current token without a request while it is fresh', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  const first = await t.auth.getAccessToken()
  expect(await t.auth.getAccessToken()).toBe(first)
  expect(tokenRequests(idp, 'refresh_token')).toBe(0)
})

test('RP-20: renews an expired access token with the refresh token, by the clock', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  const first = await t.auth.getAccessToken()
  idp.clock.advance(3600 * 2)
  // Expired but renewable: still signed in.
  expect(t.auth.isAuthenticated).toBe(true)
  const second = await t.auth.getAccessToken()
  expect(second).not.toBe(first)
  expect(tokenRequests(idp, 'refresh_token')).toBe(1)
  expect(t.auth.user?.sub).toBe('user-alice')
})

test('concurrent getAccessToken calls in one tab make one refresh request', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  idp.clock.advance(3600 * 2)
  const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => t.auth.getAccessToken()))
  expect(new Set(tokens).size).toBe(1)
  expect(tokenRequests(idp, 'refresh_token')).toBe(1)
})

test('renews when the network comes back online', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  idp.clock.advance(3600 * 2)
  window.dispatchEvent(new Event('online'))
  await vi.waitFor(() => expect(tokenRequests(idp, 'refresh_token')).toBe(1), { timeout: 10_000 })
})

test('renews when the page becomes visible again', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  idp.clock.advance(3600 * 2)
  document.dispatchEvent(new Event('visibilitychange'))
  await vi.waitFor(() => expect(tokenRequests(idp, 'refresh_token')).toBe(1), { timeout: 10_000 })
})

test('RP-20: invalid_grant on refresh signs out cleanly with the error in the state', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  idp.clock.advance(3600 * 2)
  idp.injectFault({ endpoint: 'token', kind: 'oauth_error', error: 'invalid_grant' })
  const err = await t.auth.getAccessToken().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'invalid_grant' })
  expect(t.auth.getState()).toMatchObject({ isAuthenticated: false, user: undefined, error: err })
  await expect(t.auth.getAccessToken()).rejects.toMatchObject({ error: 'login_required' })
})

test('a server error on refresh keeps the session, so the next call can retry', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await signIn(idp, t)
  idp.clock.advance(3600 * 2)
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 1 })
  const err = await t.auth.getAccessToken().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(NetworkError)
  expect(t.auth.getState()).toMatchObject({ isAuthenticated: true, error: err })
  await expect(t.auth.getAccessToken()).resolves.toMatch(/^ey/)
  expect(t.auth.getState().error).toBeUndefined()
})

test('getAccessToken without a session rejects with login_required', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await expect(t.auth.getAccessToken()).rejects.toMatchObject({
    code: 'ERR_OAUTH_RESPONSE',
    error: 'login_required',
  })
})

test('RP-20, RP-21: logout revokes the refresh token, then redirects to end-session with id_token_hint', async () => {
  const idp = newIdp()
  const storage = memory()
  const t = tab(idp, { storage })
  await signIn(idp, t)
  const stored = JSON.parse(storage.getItem('oidckit:spa@https://idp.test')!) as {
    tokens: { refreshToken: string }
  }
  const refreshToken = stored.tokens.refreshToken
  await t.auth.logout()
  expect(t.auth.isAuthenticated).toBe(false)
  expect(storage.map.size).toBe(0)
  const url = new URL(t.location.assigned.at(-1)!)
  expect(url.origin + url.pathname).toBe('https://idp.test/oauth/logout')
  expect(url.searchParams.get('id_token_hint')).toMatch(/^ey/)
  expect(url.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:5173/')
  const reuse = await idp.fetch(
    new Request('https://idp.test/oauth/token', {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: 'spa',
      }),
    }),
  )
  expect(reuse.status).toBe(400)
  expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' })
})

test('logout with the provider unreachable signs out here, without a redirect', async () => {
  const idp = newIdp()
  const storage = memory()
  await signIn(idp, tab(idp, { storage }))
  const offline = tab(idp, { storage, fetch: () => Promise.reject(new TypeError('offline')) })
  expect(offline.auth.isAuthenticated).toBe(true)
  await offline.auth.logout()
  expect(offline.auth.isAuthenticated).toBe(false)
  expect(storage.map.size).toBe(0)
  expect(offline.location.assigned).toEqual([])
})

test('keeps tokens in memory by default: nothing in Web Storage', async () => {
  const idp = newIdp()
  const t = tab(idp, { adapters: { sharedStorage: localStorage } })
  await signIn(idp, t)
  const everything = JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })
  expect(everything).not.toMatch(/eyJ/)
  expect(everything).not.toMatch(/accessToken|refreshToken/)
})

test("storage: 'session' restores the session after a reload", async () => {
  const idp = newIdp()
  const t = tab(idp, { storage: 'session' })
  await signIn(idp, t)
  const reloaded = tab(idp, { storage: 'session' })
  expect(reloaded.auth.isAuthenticated).toBe(true)
  expect(reloaded.auth.user?.sub).toBe('user-alice')
  expect(await reloaded.auth.getAccessToken()).toBe(await t.auth.getAccessToken())
})

test('a token storage that throws keeps the session in memory', async () => {
  const idp = newIdp()
  const broken = {
    getItem: () => {
      throw new DOMException('denied', 'SecurityError')
    },
    setItem: () => {
      throw new DOMException('quota', 'QuotaExceededError')
    },
    removeItem: () => {
      throw new DOMException('denied', 'SecurityError')
    },
  }
  const t = tab(idp, { storage: broken })
  await signIn(idp, t)
  expect(t.auth.isAuthenticated).toBe(true)
  await expect(t.auth.getAccessToken()).resolves.toMatch(/^ey/)
})

test('corrupted stored tokens start signed out, without a crash or deleting them', async () => {
  const idp = newIdp()
  const storage = memory()
  storage.setItem('oidckit:spa@https://idp.test', '{"gen":1,"tokens":{"accessToken":42}}')
  const t = tab(idp, { storage })
  expect(t.auth.getState()).toMatchObject({ isAuthenticated: false, isLoading: false })
  expect(storage.map.size).toBe(1)
})
