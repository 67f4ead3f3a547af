import { afterEach, expect, test, vi } from 'vitest'
import { memory, newIdp, openTab, sharedLocks, signIn, tokenRequests, type Tab } from './harness'

const tabs: Tab[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.auth.destroy()
})

let channels = 0
/** Two tabs of one browser: one lock manager, one localStorage, a real BroadcastChannel each. */
function browser(idp: ReturnType<typeof newIdp>) {
  const locks = sharedLocks()
  const shared = memory()
  const name = `oidckit-test-${++channels}`
  const open = () => {
    const t = openTab(idp, { shared, adapters: { locks, channel: new BroadcastChannel(name) } })
    tabs.push(t)
    return t
  }
  return { open, locks }
}

test('a new tab takes the session of an open tab', async () => {
  const idp = newIdp()
  const { open } = browser(idp)
  const a = open()
  await signIn(idp, a)
  const b = open()
  await vi.waitFor(() => expect(b.auth.isAuthenticated).toBe(true), { timeout: 10_000 })
  expect(b.auth.user?.sub).toBe('user-alice')
  expect(await b.auth.getAccessToken()).toBe(await a.auth.getAccessToken())
})

test('RP-20: two tabs refreshing at once make exactly one refresh request and no invalid_grant', async () => {
  const idp = newIdp()
  const { open } = browser(idp)
  const a = open()
  const b = open()
  await signIn(idp, a)
  await vi.waitFor(() => expect(b.auth.isAuthenticated).toBe(true), { timeout: 10_000 })
  idp.clock.advance(3600 * 2)
  const results = await Promise.allSettled([a.auth.getAccessToken(), b.auth.getAccessToken()])
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
  const [ta, tb] = results.map((r) => (r as PromiseFulfilledResult<string>).value)
  expect(ta).toBe(tb)
  expect(tokenRequests(idp, 'refresh_token')).toBe(1)
  expect(a.auth.getState().error).toBeUndefined()
  expect(b.auth.getState().error).toBeUndefined()
  // Both tabs hold the rotated refresh token: the next round works from either tab.
  idp.clock.advance(3600 * 2)
  await expect(b.auth.getAccessToken()).resolves.toMatch(/^ey/)
  await expect(a.auth.getAccessToken()).resolves.toMatch(/^ey/)
  expect(tokenRequests(idp, 'refresh_token')).toBe(2)
  expect(a.auth.isAuthenticated && b.auth.isAuthenticated).toBe(true)
})

test('RP-20: tabs sharing localStorage-style token storage and no channel still refresh once', async () => {
  const idp = newIdp()
  const locks = sharedLocks()
  const shared = memory()
  const storage = memory()
  const a = openTab(idp, { storage, shared, adapters: { locks } })
  await signIn(idp, a)
  const b = openTab(idp, { storage, shared, adapters: { locks } })
  tabs.push(a, b)
  expect(b.auth.isAuthenticated).toBe(true)
  idp.clock.advance(3600 * 2)
  const [ta, tb] = await Promise.all([a.auth.getAccessToken(), b.auth.getAccessToken()])
  expect(ta).toBe(tb)
  expect(tokenRequests(idp, 'refresh_token')).toBe(1)
})

test('logout in one tab signs out all tabs', async () => {
  const idp = newIdp()
  const { open } = browser(idp)
  const a = open()
  const b = open()
  await signIn(idp, a)
  await vi.waitFor(() => expect(b.auth.isAuthenticated).toBe(true), { timeout: 10_000 })
  await a.auth.logout({ localOnly: true })
  await vi.waitFor(() => expect(b.auth.isAuthenticated).toBe(false), { timeout: 10_000 })
  await expect(b.auth.getAccessToken()).rejects.toMatchObject({ error: 'login_required' })
})

test('a refresh after another tab logged out does not resurrect the session', async () => {
  const idp = newIdp()
  const { open } = browser(idp)
  const a = open()
  const b = open()
  await signIn(idp, a)
  await vi.waitFor(() => expect(b.auth.isAuthenticated).toBe(true), { timeout: 10_000 })
  idp.clock.advance(3600 * 2)
  await a.auth.logout({ localOnly: true })
  await expect(b.auth.getAccessToken()).rejects.toMatchObject({ error: 'login_required' })
  expect(tokenRequests(idp, 'refresh_token')).toBe(0)
})
