import { OAuthError } from '@oidckit/browser-pkce'
import { expect, test, vi } from 'vitest'
import { authorize, newIdp, openTab } from './harness'

function popupWindow() {
  return { closed: false, close: vi.fn(), location: { href: 'about:blank' } }
}

function message(source: unknown, origin: string, url: string) {
  return Object.assign(new Event('message'), {
    source,
    origin,
    data: { type: 'oidckit:callback', url },
  })
}

test('C-13: loginWithPopup takes the callback only from the popup on the exact redirect origin', async () => {
  const idp = newIdp()
  const popup = popupWindow()
  const target = new EventTarget()
  const t = openTab(idp, { adapters: { openPopup: () => popup, window: target } })
  const done = t.auth.loginWithPopup({ returnTo: '/inbox' })
  await vi.waitFor(
    () => expect(popup.location.href).toMatch(/^https:\/\/idp\.test\/oauth\/authorize/),
    { timeout: 10_000 },
  )
  const callback = await authorize(idp, popup.location.href)
  // Another origin, a look-alike origin, and another window: all ignored.
  target.dispatchEvent(message(popup, 'http://evil.test', callback))
  target.dispatchEvent(message(popup, 'http://localhost:5173.evil.test', callback))
  target.dispatchEvent(message({}, 'http://localhost:5173', callback))
  expect(t.auth.isAuthenticated).toBe(false)
  target.dispatchEvent(message(popup, 'http://localhost:5173', callback))
  await expect(done).resolves.toEqual({ returnTo: '/inbox' })
  expect(t.auth.user?.sub).toBe('user-alice')
  expect(popup.close).toHaveBeenCalled()
  t.auth.destroy()
})

test('loginWithPopup rejects when the browser blocks the popup', async () => {
  const idp = newIdp()
  const t = openTab(idp, { adapters: { openPopup: () => null } })
  const err = await t.auth.loginWithPopup().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'access_denied' })
  t.auth.destroy()
})

test('loginWithPopup rejects when the user closes the popup', async () => {
  const idp = newIdp()
  const popup = popupWindow()
  const t = openTab(idp, { adapters: { openPopup: () => popup, window: new EventTarget() } })
  const done = t.auth.loginWithPopup()
  await vi.waitFor(() => expect(popup.location.href).toMatch(/authorize/), { timeout: 10_000 })
  popup.closed = true
  await expect(done).rejects.toMatchObject({
    error: 'access_denied',
    errorDescription: 'popup closed',
  })
  t.auth.destroy()
})
