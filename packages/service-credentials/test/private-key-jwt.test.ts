import { expect, test } from 'vitest'
import { createTokenSource } from '@oidckit/service-credentials'
import { ISSUER, clientKeyPair, counting, createIdp } from './helpers.js'

const decode = (jwt: string, part: 0 | 1) =>
  JSON.parse(atob(jwt.split('.')[part]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<
    string,
    unknown
  >

async function setup() {
  const keys = await clientKeyPair('worker-key-1')
  const idp = createIdp([
    {
      clientId: 'worker',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [keys.publicJwk] },
      grantTypes: ['client_credentials'],
      scope: 'api:read',
      audience: 'http://localhost:4000',
    },
  ])
  return { keys, idp, net: counting(idp.fetch) }
}

test('C-11, RP-18: private_key_jwt from a JWK is accepted by mock-idp, with kid, iss = sub = client_id and aud = issuer', async () => {
  const { keys, idp, net } = await setup()
  const source = createTokenSource({
    issuer: ISSUER,
    clientId: 'worker',
    privateKey: keys.privateJwk,
    scope: 'api:read',
    fetch: net.fetch,
  })
  const token = await source.getToken()
  expect(decode(token, 1)).toMatchObject({ sub: 'worker', scope: 'api:read' })
  const [first] = net.sent
  expect(first?.authorization).toBeNull()
  const assertion = first?.form.get('client_assertion') ?? ''
  expect(decode(assertion, 0)).toMatchObject({ alg: 'ES256', kid: 'worker-key-1' })
  const payload = decode(assertion, 1)
  expect(payload).toMatchObject({ iss: 'worker', sub: 'worker', aud: idp.issuer })
  expect(Number(payload.exp) - Number(payload.iat)).toBeLessThanOrEqual(300)
  await source.getToken({ forceRefresh: true })
  const second = decode(net.sent[1]?.form.get('client_assertion') ?? '', 1)
  expect(second.jti).not.toBe(payload.jti)
})

test('C-11: private_key_jwt from a CryptoKey with a kid', async () => {
  const { keys, net } = await setup()
  const source = createTokenSource({
    issuer: ISSUER,
    clientId: 'worker',
    privateKey: { key: keys.pair.privateKey, kid: 'worker-key-1' },
    fetch: net.fetch,
  })
  expect(decode(await source.getToken(), 1).sub).toBe('worker')
})

test('RP-18: private_key_jwt with tokenEndpoint and issuer skips discovery and keeps aud = issuer', async () => {
  const { keys, idp, net } = await setup()
  const source = createTokenSource({
    issuer: ISSUER,
    tokenEndpoint: `${ISSUER}/oauth/token`,
    clientId: 'worker',
    privateKey: keys.privateJwk,
    fetch: net.fetch,
  })
  await source.getToken()
  expect(idp.requests().map((entry) => entry.endpoint)).toEqual(['token'])
  expect(decode(net.sent[0]?.form.get('client_assertion') ?? '', 1).aud).toBe(ISSUER)
})

test('RP-18: refuses private_key_jwt with only a tokenEndpoint, since the audience would be guessed', () => {
  expect(() =>
    createTokenSource({
      tokenEndpoint: `${ISSUER}/oauth/token`,
      clientId: 'worker',
      privateKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' },
    }),
  ).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
})

test('a key mock-idp does not know is refused at once with invalid_client', async () => {
  const { net } = await setup()
  const stranger = await clientKeyPair('worker-key-1')
  const source = createTokenSource({
    issuer: ISSUER,
    clientId: 'worker',
    privateKey: stranger.privateJwk,
    fetch: net.fetch,
  })
  await expect(source.getToken()).rejects.toMatchObject({
    name: 'OAuthError',
    error: 'invalid_client',
  })
  expect(net.tokenRequests()).toBe(1)
})
