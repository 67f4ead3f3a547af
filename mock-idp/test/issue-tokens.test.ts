import { createMockIdp, MockIdpConfigError } from '@oidckit/mock-idp'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { expect, test } from 'vitest'
import { decodeJwt, get } from './helpers.js'

test('issueTokens adds custom claims to both tokens, or to one of them', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({
    user: 'alice',
    clientId: 'spa',
    claims: { tenant: 'acme', roles: ['reader'] },
    accessTokenClaims: { roles: ['reader', 'writer'], permissions: ['orders:read'] },
    idTokenClaims: { locale: 'fr' },
  })
  const access = decodeJwt(tokens.access_token).payload
  const id = decodeJwt(tokens.id_token!).payload
  expect(access).toMatchObject({ tenant: 'acme', roles: ['reader', 'writer'], sub: 'user-alice' })
  expect(access.permissions).toEqual(['orders:read'])
  expect(access.locale).toBeUndefined()
  expect(id).toMatchObject({ tenant: 'acme', roles: ['reader'], locale: 'fr', aud: 'spa' })
  expect(id.permissions).toBeUndefined()
  // Still signed by the idp, and still accepted by its own endpoints.
  const jwks = createLocalJWKSet(await idp.jwks())
  const { payload } = await jwtVerify(tokens.access_token, jwks, {
    issuer: idp.issuer,
    currentDate: new Date(idp.clock.now() * 1000),
  })
  expect(payload.tenant).toBe('acme')
  const info = await get(idp, '/oauth/userinfo', {
    authorization: `Bearer ${tokens.access_token}`,
  })
  expect(info.status).toBe(200)
})

test('issueTokens sets the access-token and ID-token lifetimes, and the idp clock ends them', async () => {
  const idp = createMockIdp()
  const tokens = await idp.issueTokens({
    user: 'alice',
    clientId: 'spa',
    accessTokenTtl: 30,
    idTokenTtl: 600,
  })
  const access = decodeJwt(tokens.access_token).payload
  const id = decodeJwt(tokens.id_token!).payload
  expect(tokens.expires_in).toBe(30)
  expect((access.exp as number) - (access.iat as number)).toBe(30)
  expect((id.exp as number) - (id.iat as number)).toBe(600)
  idp.clock.advance(31)
  const info = await get(idp, '/oauth/userinfo', {
    authorization: `Bearer ${tokens.access_token}`,
  })
  expect(info.status).toBe(401)
  // A client-credentials token takes a lifetime too.
  const service = await idp.issueTokens({ clientId: 'service', accessTokenTtl: 5 })
  expect(service.expires_in).toBe(5)
})

test('issueTokens refuses claims mock-idp sets itself, bad lifetimes and misspelled options', async () => {
  const idp = createMockIdp()
  const base = { user: 'alice', clientId: 'spa' }
  for (const claim of ['iss', 'sub', 'aud', 'exp', 'nonce', 'sid']) {
    await expect(idp.issueTokens({ ...base, claims: { [claim]: 'x' } })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
      message: `issueTokens: claims must not set ${claim}, which mock-idp sets itself`,
    })
  }
  await expect(idp.issueTokens({ ...base, idTokenClaims: [] as never })).rejects.toThrow(
    'idTokenClaims must be an object',
  )
  for (const ttl of [0, -1, 1.5, Number.NaN, '60']) {
    await expect(idp.issueTokens({ ...base, accessTokenTtl: ttl as number })).rejects.toThrow(
      'accessTokenTtl must be a positive whole number of seconds',
    )
  }
  const misspelled = idp.issueTokens({ ...base, claim: { a: 1 } } as never)
  await expect(misspelled).rejects.toBeInstanceOf(MockIdpConfigError)
  await expect(misspelled).rejects.toThrow('did you mean "claims"?')
})

test('the control API mints tokens with custom claims and lifetimes', async () => {
  const idp = createMockIdp({ controlApi: true })
  const res = await idp.fetch(
    new Request(`${idp.issuer}/_mock/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: 'bob',
        clientId: 'spa',
        accessTokenClaims: { roles: ['admin'] },
        accessTokenTtl: 120,
      }),
    }),
  )
  const tokens = (await res.json()) as { access_token: string; expires_in: number }
  expect(tokens.expires_in).toBe(120)
  expect(decodeJwt(tokens.access_token).payload.roles).toEqual(['admin'])
  const bad = await idp.fetch(
    new Request(`${idp.issuer}/_mock/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'spa', claims: { iss: 'x' } }),
    }),
  )
  expect(bad.status).toBe(400)
})
