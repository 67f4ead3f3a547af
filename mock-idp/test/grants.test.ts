import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { basic, decodeJwt, get, loginWithCode, post } from './helpers.js'

test('client_credentials gives the service a token for the demo API with its scope', async () => {
  const idp = createMockIdp()
  const res = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { authorization: basic('service', 'service-secret') },
  )
  expect(res.status).toBe(200)
  const body = (await res.json()) as Record<string, unknown>
  expect(body).toMatchObject({ token_type: 'Bearer', scope: 'api:read api:write' })
  expect(body.refresh_token).toBeUndefined()
  expect(body.id_token).toBeUndefined()
  const { header, payload } = decodeJwt(body.access_token as string)
  expect(header.typ).toBe('at+jwt')
  expect(payload).toMatchObject({
    sub: 'service',
    client_id: 'service',
    aud: 'http://localhost:4000',
  })
})

test('client_credentials narrows to a requested subset and refuses a wider scope', async () => {
  const idp = createMockIdp()
  const auth = { authorization: basic('service', 'service-secret') }
  const narrow = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials', scope: 'api:read' },
    auth,
  )
  expect(((await narrow.json()) as { scope: string }).scope).toBe('api:read')
  const wide = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials', scope: 'api:admin' },
    auth,
  )
  expect(wide.status).toBe(400)
  expect(await wide.json()).toMatchObject({ error: 'invalid_scope' })
})

test('S-7: the RFC 8707 resource becomes the access token audience', async () => {
  const idp = createMockIdp()
  const res = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials', resource: 'https://api.example.com' },
    { authorization: basic('service', 'service-secret') },
  )
  const body = (await res.json()) as { access_token: string }
  expect(decodeJwt(body.access_token).payload.aud).toBe('https://api.example.com')
})

test('a relative resource is refused with invalid_target', async () => {
  const idp = createMockIdp()
  const res = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials', resource: '/api' },
    { authorization: basic('service', 'service-secret') },
  )
  expect(await res.json()).toMatchObject({ error: 'invalid_target' })
})

test('token requests are accepted as JSON, as Hanzo IAM accepts them', async () => {
  const idp = createMockIdp()
  const res = await idp.fetch(
    new Request(`${idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'service',
        client_secret: 'service-secret',
      }),
    }),
  )
  expect(res.status).toBe(200)
})

test('refresh rotates the refresh token and keeps the scope', async () => {
  const idp = createMockIdp()
  const { tokens } = await loginWithCode(idp)
  const res = await post(idp, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token as string,
    client_id: 'spa',
  })
  expect(res.status).toBe(200)
  const next = (await res.json()) as Record<string, string>
  expect(next.refresh_token).toEqual(expect.any(String))
  expect(next.refresh_token).not.toBe(tokens.refresh_token)
  expect(next.scope).toBe('openid profile email')
  expect(decodeJwt(next.id_token!).payload.sub).toBe('user-alice')
})

test('userinfo returns the claims of the scope plus the Hanzo-style claims', async () => {
  const idp = createMockIdp()
  const { tokens } = await loginWithCode(idp, { scope: 'openid email' })
  const res = await get(idp, '/oauth/userinfo', {
    authorization: `Bearer ${tokens.access_token as string}`,
  })
  expect(res.status).toBe(200)
  const claims = (await res.json()) as Record<string, unknown>
  expect(claims).toMatchObject({
    sub: 'user-alice',
    email: 'alice@example.com',
    owner: 'acme',
    isAdmin: false,
    name: 'Alice Liddell',
  })
  expect(claims.given_name).toBeUndefined()
})

test('userinfo without a token answers 401 with a bare Bearer challenge', async () => {
  const res = await get(createMockIdp(), '/oauth/userinfo')
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mock-idp"')
})

test('userinfo refuses an expired access token once the clock moves past its lifetime', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  idp.clock.advance(3601)
  const res = await get(idp, '/oauth/userinfo', { authorization: `Bearer ${tokens.access_token}` })
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
})

test('issueTokens mints user tokens like the token endpoint does', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({
    user: 'bob',
    clientId: 'spa',
    scope: 'openid profile',
    nonce: 'n',
  })
  expect(decodeJwt(tokens.id_token!).payload).toMatchObject({
    sub: 'user-bob',
    nonce: 'n',
    isAdmin: true,
    aud: 'spa',
  })
  expect(decodeJwt(tokens.access_token).payload.aud).toBe('http://localhost:4000')
  expect(tokens.refresh_token).toEqual(expect.any(String))
})

test('issueTokens without a user mints a client-credentials token', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({ clientId: 'service' })
  expect(decodeJwt(tokens.access_token).payload).toMatchObject({
    sub: 'service',
    scope: 'api:read api:write',
  })
})

test('accessTokenTtl sets exp and expires_in', async () => {
  const idp = createMockIdp({ accessTokenTtl: 60 })
  const tokens = await idp.issueTokens({ clientId: 'service' })
  const { payload } = decodeJwt(tokens.access_token)
  expect(tokens.expires_in).toBe(60)
  expect((payload.exp as number) - (payload.iat as number)).toBe(60)
})
