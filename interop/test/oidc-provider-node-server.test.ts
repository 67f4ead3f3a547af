import { Client, createPkce, randomNonce, randomState } from '@oidckit/core'
import { bearerAuth, createTokenVerifier, TokenValidationError } from '@oidckit/node-server'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  API,
  ED25519_API,
  ES256_API,
  OPAQUE_API,
  OTHER_API,
  signInThroughForms,
  SPA_REDIRECT,
  startOidcProvider,
  type RunningProvider,
} from '../src/oidc-provider'
import { UserAgent } from '../src/user-agent'

let op: RunningProvider
let service: Client
beforeAll(async () => {
  op = await startOidcProvider()
  service = await Client.discover({
    issuer: op.issuer,
    clientId: 'service',
    clientSecret: 'service-secret-0123456789',
  })
})
afterAll(() => op?.close())

const serviceToken = async (resource: string, scope = 'api:read') =>
  (await service.clientCredentials({ scope, resource })).accessToken

test("RP-14: verifies oidc-provider's at+jwt access token for the API named as its resource", async () => {
  const verifier = createTokenVerifier({ issuer: op.issuer, audience: API })
  const { claims, scopes } = await verifier.verify(await serviceToken(API))
  expect(claims).toMatchObject({ iss: op.issuer, aud: API, client_id: 'service', sub: 'service' })
  expect(scopes).toEqual(['api:read'])
})

test('C-18: refuses an oidc-provider access token issued for another resource server', async () => {
  const verifier = createTokenVerifier({ issuer: op.issuer, audience: API })
  const err = await verifier.verify(await serviceToken(OTHER_API)).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(TokenValidationError)
  expect((err as TokenValidationError).claim).toBe('aud')
})

test('RP-15: bearerAuth answers RFC 6750 challenges for oidc-provider tokens', async () => {
  const guard = bearerAuth({ issuer: op.issuer, audience: API }, { scopes: 'api:write' })
  const call = (token: string) =>
    guard(new Request(`${API}/x`, { headers: { authorization: `Bearer ${token}` } }))
  const enough = await call(await serviceToken(API, 'api:read api:write'))
  expect(enough).not.toBeInstanceOf(Response)
  const narrow = (await call(await serviceToken(API))) as Response
  expect(narrow.status).toBe(403)
  expect(narrow.headers.get('www-authenticate')).toContain('insufficient_scope')
  const other = (await call(await serviceToken(OTHER_API, 'api:read api:write'))) as Response
  expect(other.status).toBe(401)
  expect(other.headers.get('www-authenticate')).toContain('invalid_token')
})

test("RP-14: a user's access token from the code flow verifies, and the ID token is refused as one", async () => {
  const client = await Client.discover({
    issuer: op.issuer,
    clientId: 'spa',
    redirectUri: SPA_REDIRECT,
  })
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid api:read',
    state,
    nonce,
    codeChallenge: pkce.challenge,
    resource: API,
  })
  const callback = await signInThroughForms(new UserAgent(), url, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  const verifier = createTokenVerifier({ issuer: op.issuer, audience: API })
  const { claims, scopes } = await verifier.verify(tokens.accessToken)
  expect(claims).toMatchObject({ sub: 'alice', aud: API, client_id: 'spa' })
  expect(scopes).toContain('api:read')
  await expect(verifier.verify(tokens.idToken!)).rejects.toBeInstanceOf(TokenValidationError)
  // A verifier for the client's audience would accept the ID token's aud; typ still refuses it.
  const forSpa = createTokenVerifier({ issuer: op.issuer, audience: 'spa' })
  await expect(forSpa.verify(tokens.idToken!)).rejects.toMatchObject({ claim: 'typ' })
})

test('RP-22: an opaque oidc-provider token is checked by introspection, for its own API only', async () => {
  const introspection = { clientId: 'web-app', clientSecret: 'web-app-secret-0123456789' }
  const verifier = createTokenVerifier({ issuer: op.issuer, audience: OPAQUE_API, introspection })
  const token = await serviceToken(OPAQUE_API)
  expect(token.split('.')).toHaveLength(1)
  const { claims, scopes } = await verifier.verify(token)
  expect(claims).toMatchObject({ client_id: 'service', aud: OPAQUE_API })
  expect(scopes).toEqual(['api:read'])
  const elsewhere = createTokenVerifier({ issuer: op.issuer, audience: API, introspection })
  await expect(elsewhere.verify(token)).rejects.toBeInstanceOf(TokenValidationError)
  await service.revoke(token)
  const fresh = createTokenVerifier({ issuer: op.issuer, audience: OPAQUE_API, introspection })
  await expect(fresh.verify(token)).rejects.toBeInstanceOf(TokenValidationError)
})

test('RP-14: verifies an ES256 access token with the EC key of a mixed JWKS', async () => {
  const verifier = createTokenVerifier({ issuer: op.issuer, audience: ES256_API })
  const token = await serviceToken(ES256_API)
  expect(JSON.parse(atob(token.split('.')[0]!))).toMatchObject({ alg: 'ES256', typ: 'at+jwt' })
  const { claims } = await verifier.verify(token)
  expect(claims).toMatchObject({ aud: ES256_API, client_id: 'service' })
  const rsOnly = createTokenVerifier({
    issuer: op.issuer,
    audience: ES256_API,
    algorithms: ['RS256'],
  })
  await expect(rsOnly.verify(token)).rejects.toBeInstanceOf(TokenValidationError)
})

test('RP-14: verifies an Ed25519 (RFC 9864) access token from oidc-provider', async () => {
  const token = await serviceToken(ED25519_API)
  expect(JSON.parse(atob(token.split('.')[0]!))).toMatchObject({ alg: 'Ed25519' })
  const verifier = createTokenVerifier({ issuer: op.issuer, audience: ED25519_API })
  expect((await verifier.verify(token)).claims).toMatchObject({ aud: ED25519_API })
})
