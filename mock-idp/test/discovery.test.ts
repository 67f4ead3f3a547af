import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { get } from './helpers.js'

test('createMockIdp defaults the issuer to http://localhost:9400', () => {
  expect(createMockIdp().issuer).toBe('http://localhost:9400')
})

test('AS-18: discovery advertises every endpoint, S256 only and the iss parameter', async () => {
  const idp = createMockIdp()
  const res = await get(idp, '/.well-known/openid-configuration')
  expect(res.status).toBe(200)
  const doc = (await res.json()) as Record<string, unknown>
  expect(doc).toMatchObject({
    issuer: 'http://localhost:9400',
    authorization_endpoint: 'http://localhost:9400/oauth/authorize',
    token_endpoint: 'http://localhost:9400/oauth/token',
    userinfo_endpoint: 'http://localhost:9400/oauth/userinfo',
    jwks_uri: 'http://localhost:9400/.well-known/jwks',
    introspection_endpoint: 'http://localhost:9400/oauth/introspect',
    revocation_endpoint: 'http://localhost:9400/oauth/revoke',
    device_authorization_endpoint: 'http://localhost:9400/oauth/device/code',
    end_session_endpoint: 'http://localhost:9400/oauth/logout',
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    response_types_supported: ['code'],
    id_token_signing_alg_values_supported: ['RS256'],
  })
  expect(doc.token_endpoint_auth_methods_supported).toEqual([
    'client_secret_basic',
    'client_secret_post',
    'private_key_jwt',
    'none',
  ])
  expect(doc.grant_types_supported).not.toContain('password')
  expect(doc.grant_types_supported).not.toContain('implicit')
})

test('S-10: the RFC 8414 document equals the OpenID one', async () => {
  const idp = createMockIdp()
  const oidc = await (await get(idp, '/.well-known/openid-configuration')).json()
  const oauth = await (await get(idp, '/.well-known/oauth-authorization-server')).json()
  expect(oauth).toEqual(oidc)
})

test('the JWKS serves one public RS256 key with a kid and no private parts', async () => {
  const idp = createMockIdp()
  const res = await get(idp, '/.well-known/jwks')
  expect(res.status).toBe(200)
  const { keys } = (await res.json()) as { keys: Record<string, unknown>[] }
  expect(keys).toHaveLength(1)
  expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
  expect(keys[0]!.kid).toEqual(expect.any(String))
  expect(keys[0]!.d).toBeUndefined()
})

test('signingAlg ES256 serves an EC P-256 key', async () => {
  const idp = createMockIdp({ signingAlg: 'ES256' })
  const { keys } = (await (await get(idp, '/.well-known/jwks')).json()) as {
    keys: Record<string, unknown>[]
  }
  expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' })
})

test('an unknown path answers 404 with a JSON error', async () => {
  const res = await get(createMockIdp(), '/nope')
  expect(res.status).toBe(404)
  expect(await res.json()).toMatchObject({ error: 'not_found' })
})

test('discovery refuses POST with 405', async () => {
  const idp = createMockIdp()
  const res = await idp.fetch(
    new Request(`${idp.issuer}/.well-known/openid-configuration`, { method: 'POST' }),
  )
  expect(res.status).toBe(405)
  expect(await res.json()).toMatchObject({ error: 'invalid_request' })
})

test('an issuer with a path serves its endpoints under that path', async () => {
  const idp = createMockIdp({ issuer: 'http://localhost:9400/tenant-a' })
  const doc = (await (await get(idp, '/.well-known/openid-configuration')).json()) as Record<
    string,
    unknown
  >
  expect(doc.token_endpoint).toBe('http://localhost:9400/tenant-a/oauth/token')
})
