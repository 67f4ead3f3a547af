import { beforeEach, expect, test } from 'vitest'
import { exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { Client } from '@oidckit/core'
import { createHostileProvider } from './hostile-provider.js'
import type { HostileProvider } from './hostile-provider.js'

let idp: HostileProvider

beforeEach(async () => {
  idp = await createHostileProvider({ issuer: `https://hostile-${crypto.randomUUID()}.test` })
})

const discover = (extra = {}) =>
  Client.discover({
    issuer: idp.issuer,
    clientId: 'app',
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
    ...extra,
  })

test('C-1, C-6: builds a code flow URL with state, nonce and an S256 challenge, passing extra parameters through', async () => {
  const client = await discover()
  const url = client.authorizationUrl({
    scope: 'openid email',
    state: 's',
    nonce: 'n',
    codeChallenge: 'c',
    prompt: 'login',
    ui_locales: 'de',
  })
  expect(url.origin + url.pathname).toBe(`${idp.issuer}/authorize`)
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: 'app',
    response_type: 'code',
    redirect_uri: idp.redirectUri,
    scope: 'openid email',
    state: 's',
    nonce: 'n',
    code_challenge: 'c',
    code_challenge_method: 'S256',
    prompt: 'login',
    ui_locales: 'de',
  })
})

test('C-1, C-4: refuses an authorization URL without state, PKCE or an OIDC nonce', async () => {
  const client = await discover()
  const base = { scope: 'openid', state: 's', nonce: 'n', codeChallenge: 'c' }
  for (const bad of [
    { ...base, state: undefined },
    { ...base, codeChallenge: undefined },
    { ...base, nonce: undefined },
  ]) {
    expect(() => client.authorizationUrl(bad as never)).toThrow(
      expect.objectContaining({ name: 'TypeError' }),
    )
  }
  expect(() => client.authorizationUrl({ ...base, code_challenge_method: 'plain' })).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
  )
  expect(
    client
      .authorizationUrl({ scope: 'api:read', state: 's', codeChallenge: 'c' })
      .searchParams.has('nonce'),
  ).toBe(false)
})

test('builds the RP-initiated logout URL (RP-21)', async () => {
  const client = await discover()
  const url = client.endSessionUrl({
    idTokenHint: 'id.token.here',
    postLogoutRedirectUri: 'https://app.test/',
    state: 'bye',
  })
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: 'app',
    id_token_hint: 'id.token.here',
    post_logout_redirect_uri: 'https://app.test/',
    state: 'bye',
  })
  delete idp.metadata.end_session_endpoint
  const bare = await discover({ forceRefresh: true })
  expect(() => bare.endSessionUrl()).toThrow(
    expect.objectContaining({ name: 'DiscoveryError', code: 'ERR_ENDPOINT_NOT_SUPPORTED' }),
  )
})

test('reports an operation the provider does not support as a DiscoveryError', async () => {
  delete idp.metadata.revocation_endpoint
  const client = await discover()
  await expect(client.revoke('token')).rejects.toMatchObject({
    name: 'DiscoveryError',
    code: 'ERR_ENDPOINT_NOT_SUPPORTED',
  })
})

test('C-11, RP-18: authenticates with private_key_jwt from a private JWK', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const client = await discover({
    privateKey: { ...(await exportJWK(privateKey)), kid: 'client-key' },
  })
  await client.clientCredentials({
    scope: 'api:read',
    resource: ['https://api.test', 'https://other.test'],
  })
  const form = idp.tokenRequests[0]
  expect(form?.get('client_assertion_type')).toBe(
    'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  )
  expect(form?.getAll('resource')).toEqual(['https://api.test', 'https://other.test'])
  const { payload, protectedHeader } = await jwtVerify(
    form?.get('client_assertion') ?? '',
    publicKey,
    { audience: idp.issuer },
  )
  expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'client-key' })
  expect(payload).toMatchObject({ iss: 'app', sub: 'app' })
  expect(typeof payload.jti).toBe('string')
})

test('authenticates with client_secret_basic by default and client_secret_post when it is all the provider offers', async () => {
  let authorization: string | null = null
  idp.routes['/token'] = async (request) => {
    authorization = request.headers.get('authorization')
    idp.tokenRequests.push(new URLSearchParams(await request.text()))
    return Response.json({ access_token: 'at', token_type: 'Bearer' })
  }
  await (await discover({ clientSecret: 's3cret' })).clientCredentials()
  expect(authorization).toBe(`Basic ${btoa('app:s3cret')}`)
  idp.metadata.token_endpoint_auth_methods_supported = ['client_secret_post']
  await (await discover({ clientSecret: 's3cret', forceRefresh: true })).clientCredentials()
  expect(authorization).toBeNull()
  expect(idp.tokenRequests[1]?.get('client_secret')).toBe('s3cret')
})
