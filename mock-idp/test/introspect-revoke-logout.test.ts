import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { basic, get, loginWithCode, post } from './helpers.js'
import { isSignedIn } from './session.js'

const webApp = { authorization: basic('web-app', 'web-app-secret') }

test('introspection reports an active token to its own client', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'web-app' })
  const res = await post(idp, '/oauth/introspect', { token: tokens.access_token }, webApp)
  expect(await res.json()).toMatchObject({
    active: true,
    sub: 'user-alice',
    client_id: 'web-app',
    aud: 'http://localhost:4000',
  })
  const refresh = await post(idp, '/oauth/introspect', { token: tokens.refresh_token! }, webApp)
  expect(await refresh.json()).toMatchObject({ active: true, token_type: 'refresh_token' })
})

test("AS-14: introspection says only active:false for another client's or an expired token", async () => {
  const idp = createMockIdp()
  const other = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  expect(
    await (await post(idp, '/oauth/introspect', { token: other.access_token }, webApp)).json(),
  ).toEqual({ active: false })
  const own = await idp.issueTokens({ user: 'alice', clientId: 'web-app' })
  idp.clock.advance(3601)
  expect(
    await (await post(idp, '/oauth/introspect', { token: own.access_token }, webApp)).json(),
  ).toEqual({ active: false })
  expect(await (await post(idp, '/oauth/introspect', { token: 'garbage' }, webApp)).json()).toEqual(
    { active: false },
  )
})

test('AS-14: introspection requires client authentication', async () => {
  const idp = createMockIdp()
  expect((await post(idp, '/oauth/introspect', { token: 'x' })).status).toBe(401)
  expect((await post(idp, '/oauth/introspect', { token: 'x', client_id: 'spa' })).status).toBe(401)
})

test('AS-13: revoking a refresh token revokes its grant, access tokens included', async () => {
  const idp = createMockIdp()
  const { tokens } = await loginWithCode(idp)
  const res = await post(idp, '/oauth/revoke', {
    token: tokens.refresh_token as string,
    client_id: 'spa',
  })
  expect(res.status).toBe(200)
  const refresh = await post(idp, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token as string,
    client_id: 'spa',
  })
  expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' })
  const info = await get(idp, '/oauth/userinfo', {
    authorization: `Bearer ${tokens.access_token as string}`,
  })
  expect(info.status).toBe(401)
})

test("AS-13: revoking an unknown token or another client's token answers 200 and changes nothing", async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  expect((await post(idp, '/oauth/revoke', { token: 'unknown' }, webApp)).status).toBe(200)
  expect((await post(idp, '/oauth/revoke', { token: tokens.access_token }, webApp)).status).toBe(
    200,
  )
  const info = await get(idp, '/oauth/userinfo', { authorization: `Bearer ${tokens.access_token}` })
  expect(info.status).toBe(200)
})

test('AS-11: logout redirects to a registered URI with a valid id_token_hint and ends the session', async () => {
  const idp = createMockIdp()
  const { tokens, browser } = await loginWithCode(idp)
  const query = new URLSearchParams({
    id_token_hint: tokens.id_token as string,
    post_logout_redirect_uri: 'http://localhost:5173/',
    state: 's1',
  })
  const res = await browser.request(`${idp.issuer}/oauth/logout?${query}`)
  expect(res.status).toBe(302)
  expect(res.headers.get('location')).toBe('http://localhost:5173/?state=s1')
  expect(browser.cookies.has('mock_idp_session')).toBe(false)
})

test('AS-11: logout never redirects to an unregistered URI or without an id_token_hint', async () => {
  const idp = createMockIdp()
  const { tokens } = await loginWithCode(idp)
  const evil = await get(
    idp,
    `/oauth/logout?${new URLSearchParams({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: 'https://evil.example/' })}`,
  )
  expect(evil.status).toBe(400)
  expect(evil.headers.get('location')).toBeNull()
  const noHint = await get(
    idp,
    `/oauth/logout?post_logout_redirect_uri=${encodeURIComponent('http://localhost:5173/')}`,
  )
  expect(noHint.status).toBe(400)
  expect(noHint.headers.get('location')).toBeNull()
})

test('AS-11: logout without an id_token_hint asks first, and only the CSRF-checked POST ends the session', async () => {
  const idp = createMockIdp()
  const { browser } = await loginWithCode(idp)
  const page = await browser.request(`${idp.issuer}/oauth/logout?state=%3Cb%3E`)
  expect(page.status).toBe(200)
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  expect(page.headers.get('x-frame-options')).toBe('DENY')
  expect(page.headers.get('referrer-policy')).toBe('no-referrer')
  expect(page.headers.get('cache-control')).toBe('no-store')
  const html = await page.text()
  expect(html).toContain('Sign out?')
  expect(html).toContain('value="&lt;b&gt;"')
  expect(html).not.toContain('<b>')
  expect(await isSignedIn(browser)).toBe(true)

  const forged = await browser.request(`${idp.issuer}/oauth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action: 'logout', csrf_token: 'A'.repeat(43) }),
  })
  expect(forged.status).toBe(403)
  expect(await isSignedIn(browser)).toBe(true)

  const done = await browser.submit(html, {})
  expect(done.status).toBe(200)
  expect(await done.text()).toContain('Signed out')
  expect(browser.cookies.has('mock_idp_session')).toBe(false)
  expect(await isSignedIn(browser)).toBe(false)
})

test("AS-11: another user's valid id_token_hint does not sign the current user out without asking", async () => {
  const idp = createMockIdp()
  const { browser } = await loginWithCode(idp)
  const bob = await idp.issueTokens({ user: 'bob', clientId: 'spa' })
  const query = new URLSearchParams({
    id_token_hint: bob.id_token!,
    post_logout_redirect_uri: 'http://localhost:5173/',
  })
  const page = await browser.request(`${idp.issuer}/oauth/logout?${query}`)
  expect(page.status).toBe(200)
  expect(page.headers.get('location')).toBeNull()
  expect(await isSignedIn(browser)).toBe(true)
  // Confirmed, it ends the session and then follows the hint's registered URI.
  const done = await browser.submit(await page.text(), {})
  expect(done.status).toBe(303)
  expect(done.headers.get('location')).toBe('http://localhost:5173/')
  expect(await isSignedIn(browser)).toBe(false)
})

test('AS-11: a valid id_token_hint of the signed-in user without a redirect signs out at once', async () => {
  const idp = createMockIdp()
  const { tokens, browser } = await loginWithCode(idp)
  const query = new URLSearchParams({ id_token_hint: tokens.id_token as string })
  const res = await browser.request(`${idp.issuer}/oauth/logout?${query}`)
  expect(res.status).toBe(200)
  expect(await res.text()).toContain('Signed out')
  expect(await isSignedIn(browser)).toBe(false)
})
