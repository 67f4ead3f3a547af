import { createMockIdp } from '@oidckit/mock-idp'
import { jwtVerify, createLocalJWKSet } from 'jose'
import { expect, test } from 'vitest'
import { Browser, decodeJwt, get, loginWithCode, pkce, post } from './helpers.js'

test('the code flow with PKCE signs alice in through the login form', async () => {
  const idp = createMockIdp()
  const { tokens } = await loginWithCode(idp)
  expect(tokens).toMatchObject({
    token_type: 'Bearer',
    expires_in: 3600,
    scope: 'openid profile email',
  })
  const jwks = createLocalJWKSet(await idp.jwks())
  const id = await jwtVerify(tokens.id_token as string, jwks, {
    issuer: idp.issuer,
    audience: 'spa',
  })
  expect(id.payload).toMatchObject({
    sub: 'user-alice',
    nonce: 'nonce-1',
    azp: 'spa',
    email: 'alice@example.com',
    name: 'Alice Liddell',
    owner: 'acme',
    isAdmin: false,
  })
  expect(id.payload.auth_time).toEqual(expect.any(Number))
  expect(id.payload.at_hash).toEqual(expect.any(String))
  expect(id.protectedHeader.kid).toEqual(expect.any(String))
  const at = await jwtVerify(tokens.access_token as string, jwks, {
    issuer: idp.issuer,
    audience: 'http://localhost:4000',
    typ: 'at+jwt',
  })
  expect(at.payload).toMatchObject({
    sub: 'user-alice',
    client_id: 'spa',
    scope: 'openid profile email',
  })
  expect(at.payload.jti).toEqual(expect.any(String))
  expect(tokens.refresh_token).toEqual(expect.any(String))
})

test('S-13, AS-10: the login page carries anti-framing, referrer and CSP headers and a CSRF token', async () => {
  const idp = createMockIdp()
  const { challenge } = pkce()
  const res = await get(
    idp,
    `/oauth/authorize?client_id=spa&response_type=code&redirect_uri=http://localhost:5173/callback&code_challenge=${challenge}&code_challenge_method=S256`,
  )
  expect(res.status).toBe(200)
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  expect(res.headers.get('x-frame-options')).toBe('DENY')
  expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  expect(res.headers.get('access-control-allow-origin')).toBeNull()
  const html = await res.text()
  expect(html).toContain('name="username"')
  expect(html).toContain('name="password"')
  expect(html).toMatch(/name="csrf_token" value="[\w-]{43}"/)
})

test('AS-4: the success redirect carries code, state and iss; S-3: credentials POST answers 303', async () => {
  const idp = createMockIdp()
  const browser = new Browser(idp)
  const { challenge } = pkce()
  const page = await browser.request(
    `${idp.issuer}/oauth/authorize?client_id=spa&response_type=code&redirect_uri=http://localhost:5173/callback&state=xyz&code_challenge=${challenge}&code_challenge_method=S256`,
  )
  const res = await browser.submit(await page.text(), {
    username: 'alice',
    password: 'alice-password',
  })
  expect(res.status).toBe(303)
  const location = new URL(res.headers.get('location')!)
  expect(location.origin + location.pathname).toBe('http://localhost:5173/callback')
  expect(location.searchParams.get('state')).toBe('xyz')
  expect(location.searchParams.get('iss')).toBe(idp.issuer)
  expect(location.searchParams.get('code')).toMatch(/^[\w-]{43}$/)
})

test('a wrong password re-renders the form with 401 and no redirect', async () => {
  const idp = createMockIdp()
  const browser = new Browser(idp)
  const { challenge } = pkce()
  const page = await browser.request(
    `${idp.issuer}/oauth/authorize?client_id=spa&response_type=code&code_challenge=${challenge}&code_challenge_method=S256&redirect_uri=http://localhost:5173/callback`,
  )
  const res = await browser.submit(await page.text(), { username: 'alice', password: 'nope' })
  expect(res.status).toBe(401)
  expect(res.headers.get('location')).toBeNull()
  expect(await res.text()).toContain('Wrong username or password')
})

test('a second authorization in the same browser session skips the password', async () => {
  const idp = createMockIdp()
  const { browser } = await loginWithCode(idp)
  const { challenge } = pkce()
  const res = await browser.request(
    `${idp.issuer}/oauth/authorize?client_id=spa&response_type=code&redirect_uri=http://localhost:5173/callback&code_challenge=${challenge}&code_challenge_method=S256`,
  )
  expect(res.status).toBe(302)
  expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy()
})

test('autoLogin issues a code without a form, for the login_hint user', async () => {
  const idp = createMockIdp({ autoLogin: true })
  const { challenge, verifier } = pkce()
  const res = await get(
    idp,
    `/oauth/authorize?client_id=spa&response_type=code&scope=openid&redirect_uri=http://localhost:5173/callback&login_hint=bob&code_challenge=${challenge}&code_challenge_method=S256`,
  )
  expect(res.status).toBe(302)
  const code = new URL(res.headers.get('location')!).searchParams.get('code')!
  const tokens = (await (
    await post(idp, '/oauth/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: 'spa',
      redirect_uri: 'http://localhost:5173/callback',
    })
  ).json()) as { id_token: string }
  expect(decodeJwt(tokens.id_token).payload.sub).toBe('user-bob')
})

test('the web-app client redeems its code with client_secret_basic', async () => {
  const idp = createMockIdp({ autoLogin: 'alice' })
  const { challenge, verifier } = pkce()
  const res = await get(
    idp,
    `/oauth/authorize?client_id=web-app&response_type=code&scope=openid&code_challenge=${challenge}&code_challenge_method=S256`,
  )
  const location = new URL(res.headers.get('location')!)
  expect(location.origin + location.pathname).toBe('http://localhost:3000/callback')
  const token = await post(
    idp,
    '/oauth/token',
    {
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      code_verifier: verifier,
    },
    { authorization: `Basic ${Buffer.from('web-app:web-app-secret').toString('base64')}` },
  )
  expect(token.status).toBe(200)
  expect(token.headers.get('cache-control')).toBe('no-store')
})
