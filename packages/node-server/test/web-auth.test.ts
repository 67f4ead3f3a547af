import { expect, test } from 'vitest'
import { createWebAuth } from '@oidckit/node-server'
import fc from 'fast-check'
import { deriveKeys, seal, unseal } from '../src/internal/sealed.js'
import { hostileReturnTo, staysOn } from '../../core/test/return-to-arbitrary'
import { BASE, cookieHeader, SECRET, setup, signIn } from './support/web-flow'

test.each([
  '/.//evil.example',
  '/..//evil.example/x',
  '/%2e%2e//evil.example',
  '/a/..//evil.example',
  '//evil.example',
  '/\\evil.example',
  'https://evil.example/',
  'javascript:alert(1)',
])('C-2: a returnTo of %j ends the login at /, never off this origin', async (returnTo) => {
  const { idp, web } = setup()
  const { callback } = await signIn(web, idp, returnTo)
  expect(callback.status).toBe(303)
  expect(callback.headers.get('location')).toBe('/')
})

test('C-2: no generated returnTo is kept for after the login unless it stays on this origin', async () => {
  const { web } = setup()
  const keys = deriveKeys([SECRET], 'transaction')
  await fc.assert(
    fc.asyncProperty(hostileReturnTo(), async (returnTo) => {
      const login = await web.login(
        new Request(`${BASE}/login?returnTo=${encodeURIComponent(returnTo)}`),
      )
      const raw = login.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!
      const tx = (await unseal(raw, keys, 0))!
      expect(staysOn(String(tx.returnTo), BASE)).toBe(true)
    }),
    { numRuns: 500 },
  )
})

test('C-2: no generated returnTo sends the browser off this origin after login', async () => {
  const { idp, web } = setup()
  await fc.assert(
    fc.asyncProperty(hostileReturnTo(), async (returnTo) => {
      const { callback } = await signIn(web, idp, returnTo)
      expect(callback.status).toBe(303)
      expect(staysOn(callback.headers.get('location')!, BASE)).toBe(true)
    }),
    { numRuns: 30 },
  )
})

test('C-2: the stored returnTo is checked again at the callback', async () => {
  const { idp, web } = setup()
  const login = await web.login(new Request(`${BASE}/login?returnTo=/ok`))
  // A transaction sealed by an older version, or with a leaked secret, that holds another host.
  const keys = deriveKeys([SECRET], 'transaction')
  const [name, raw] = login.headers.getSetCookie()[0]!.split(';')[0]!.split('=') as [string, string]
  const tx = (await unseal(raw, keys, 0))!
  const forged = await seal({ ...tx, returnTo: '//evil.example' }, keys, tx.exp!)
  const authorize = await idp.fetch(new Request(login.headers.get('location')!))
  const callback = await web.callback(
    new Request(authorize.headers.get('location')!, { headers: { cookie: `${name}=${forged}` } }),
  )
  expect(callback.status).toBe(303)
  expect(callback.headers.get('location')).toBe('/')
})

test('refuses a short secret and an http baseUrl off loopback', () => {
  expect(() => setup({ secret: 'short' })).toThrow(TypeError)
  expect(() => setup({ baseUrl: 'http://app.example.com' })).toThrow(TypeError)
})

test('RP-12: uses __Host- Secure cookies over https', async () => {
  const { web } = setup({ baseUrl: 'https://app.example.com' })
  expect(web.cookieNames.session).toBe('__Host-oidckit-web-app')
  const login = await web.login(new Request('https://app.example.com/login'))
  const tx = login.headers.getSetCookie()[0]!
  expect(tx).toMatch(
    /^__Host-oidckit-web-app-tx=.*; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/,
  )
})

test('C-1: sends state, nonce and a PKCE S256 challenge with response_mode=query', async () => {
  const { web } = setup()
  const login = await web.login(new Request(`${BASE}/login`))
  const url = new URL(login.headers.get('location')!)
  for (const name of ['state', 'nonce', 'code_challenge'])
    expect(url.searchParams.get(name)).toBeTruthy()
  expect(url.searchParams.get('code_challenge_method')).toBe('S256')
  expect(url.searchParams.get('response_mode')).toBe('query')
  expect(url.searchParams.get('redirect_uri')).toBe(`${BASE}/callback`)
})

test('signs in and reads the session back, redirecting to a safe returnTo', async () => {
  const { idp, web } = setup()
  const { callback, cookies } = await signIn(web, idp, '/profile')
  expect(callback.status).toBe(303)
  expect(callback.headers.get('location')).toBe('/profile')
  const session = await web.getSession(new Request(BASE, { headers: { cookie: cookies } }))
  expect(session?.user.sub).toBe('user-alice')
  expect(session?.user.name).toBe('Alice Liddell')
})

test('C-2: redirects to / after login when returnTo points elsewhere', async () => {
  const { idp, web } = setup()
  const { callback } = await signIn(web, idp, 'https://evil.example/')
  expect(callback.headers.get('location')).toBe('/')
})

test('RP-9: refuses a callback whose state does not match the transaction', async () => {
  const { idp, web } = setup()
  const login = await web.login(new Request(`${BASE}/login`))
  const authorize = await idp.fetch(new Request(login.headers.get('location')!))
  const url = new URL(authorize.headers.get('location')!)
  url.searchParams.set('state', 'forged')
  const res = await web.callback(
    new Request(url, { headers: { cookie: cookieHeader(login.headers.getSetCookie()) } }),
  )
  expect(res.status).toBe(400)
  expect(await res.text()).toContain('Sign-in could not be completed')
})

test('refuses a tampered transaction cookie without a crash', async () => {
  const { web } = setup()
  const res = await web.callback(
    new Request(`${BASE}/callback?code=a&state=b`, {
      headers: { cookie: 'oidckit-web-app-tx=garbage%ZZ; oidckit-web-app-tx=x' },
    }),
  )
  expect(res.status).toBe(400)
})

test('reads no session from a tampered, foreign or malformed cookie', async () => {
  const { idp, web } = setup()
  const { cookies } = await signIn(web, idp)
  const tampered = cookies.replace(/=(.{10})/, '=AAAAAAAAAA')
  for (const cookie of [tampered, 'oidckit-web-app=%%%', 'oidckit-web-app.0=abc', '=;;=;']) {
    expect(await web.getSession(new Request(BASE, { headers: { cookie } }))).toBeNull()
  }
})

test('does not open a transaction cookie as a session', async () => {
  const { web } = setup()
  const login = await web.login(new Request(`${BASE}/login`))
  const tx = login.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]
  expect(
    await web.getSession(new Request(BASE, { headers: { cookie: `oidckit-web-app=${tx}` } })),
  ).toBeNull()
})

test('rotates secrets: a session sealed with an old secret still opens', async () => {
  const { idp, web } = setup()
  const { cookies } = await signIn(web, idp)
  const rotated = createWebAuth({
    issuer: 'https://idp.test',
    clientId: 'web-app',
    clientSecret: 'web-app-secret',
    baseUrl: BASE,
    secret: ['a-brand-new-secret-that-is-long-enough-xyz', SECRET],
    fetch: idp.fetch,
  })
  expect(
    (await rotated.getSession(new Request(BASE, { headers: { cookie: cookies } })))?.user.sub,
  ).toBe('user-alice')
})

test('chunks a large session over several cookies and reads it back', async () => {
  const { idp, web } = setup()
  idp.updateUser('alice', { claims: { bio: 'x'.repeat(6000) } })
  const { callback, cookies } = await signIn(web, idp)
  const names = callback.headers.getSetCookie().map((line) => line.split('=')[0])
  expect(names).toContain('oidckit-web-app.0')
  expect(names).toContain('oidckit-web-app.1')
  const session = await web.getSession(new Request(BASE, { headers: { cookie: cookies } }))
  expect(session?.user.sub).toBe('user-alice')
})

test('refreshes the tokens on the server before they expire and rewrites the cookie', async () => {
  let now = Date.now()
  const { idp, web } = setup({ clock: () => now })
  const { cookies } = await signIn(web, idp)
  const first = await web.getSession(new Request(BASE, { headers: { cookie: cookies } }))
  now += 3_600_000
  idp.clock.advance(3600)
  const headers = new Headers()
  const refreshed = await web.getSession(
    new Request(BASE, { headers: { cookie: cookies } }),
    headers,
  )
  expect(refreshed?.accessToken).not.toBe(first?.accessToken)
  expect(headers.getSetCookie()[0]).toMatch(/^oidckit-web-app=/)
})

test('RP-20: drops the session when the refresh token is no longer valid', async () => {
  let now = Date.now()
  const { idp, web } = setup({ clock: () => now })
  const { cookies } = await signIn(web, idp)
  const session = await web.getSession(new Request(BASE, { headers: { cookie: cookies } }))
  await (
    await import('@oidckit/core')
  ).Client.discover({
    issuer: 'https://idp.test',
    clientId: 'web-app',
    clientSecret: 'web-app-secret',
    fetch: idp.fetch,
  }).then((c) => c.revoke(session!.tokens.refreshToken!))
  now += 3_600_000
  idp.clock.advance(3600)
  const headers = new Headers()
  expect(
    await web.getSession(new Request(BASE, { headers: { cookie: cookies } }), headers),
  ).toBeNull()
  expect(headers.getSetCookie()[0]).toMatch(/Max-Age=0/)
})

test('RP-20: logout revokes the refresh token and clears the cookie', async () => {
  const { idp, web } = setup()
  const { cookies } = await signIn(web, idp)
  const session = await web.getSession(new Request(BASE, { headers: { cookie: cookies } }))
  const res = await web.logout(
    new Request(`${BASE}/logout`, { method: 'POST', headers: { cookie: cookies } }),
  )
  expect(res.status).toBe(303)
  expect(res.headers.getSetCookie().every((line) => line.includes('Max-Age=0'))).toBe(true)
  const introspection = await idp.fetch(
    new Request('https://idp.test/oauth/introspect', {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa('web-app:web-app-secret')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: session!.tokens.refreshToken! }),
    }),
  )
  expect((await introspection.json()).active).toBe(false)
})

test('logout without a session redirects home', async () => {
  const { web } = setup()
  const res = await web.logout(new Request(`${BASE}/logout`, { method: 'POST' }))
  expect(res.headers.get('location')).toBe(`${BASE}/`)
})
