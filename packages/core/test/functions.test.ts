import { exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import {
  authorizationCodeGrant,
  buildAuthorizationUrl,
  buildEndSessionUrl,
  Client,
  clientCredentialsGrant,
  createClientAuthentication,
  createClientConfig,
  createPkce,
  discover,
  fetchUserinfo,
  introspectToken,
  pollDeviceToken,
  pushAuthorizationRequest,
  randomNonce,
  randomState,
  refreshGrant,
  requestDeviceAuthorization,
  revokeToken,
} from '@oidckit/core'
import type { ClientConfig, FetchLike } from '@oidckit/core'

const idp = createMockIdp({ issuer: 'http://localhost:9413', autoLogin: 'alice' })
const SPA_REDIRECT = 'http://localhost:5173/callback'

async function follow(url: URL): Promise<URL> {
  const response = await idp.fetch(new Request(url, { redirect: 'manual' }))
  const location = response.headers.get('location')
  expect(location, `authorize answered ${response.status}`).toBeTruthy()
  return new URL(location as string, url)
}

async function login(config: ClientConfig) {
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const params = {
    scope: 'openid profile email offline_access',
    state,
    nonce,
    codeChallenge: pkce.challenge,
  }
  const callback = await follow(buildAuthorizationUrl(config, params))
  return authorizationCodeGrant<{ email: string }>(config, callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
}

const spa = () =>
  discover({ issuer: idp.issuer, clientId: 'spa', redirectUri: SPA_REDIRECT, fetch: idp.fetch })

test('discover() returns a frozen configuration', async () => {
  const config = await spa()
  expect(Object.isFrozen(config)).toBe(true)
  expect(Object.isFrozen(config.options)).toBe(true)
  expect(config).toMatchObject({ clientId: 'spa', redirectUri: SPA_REDIRECT })
  expect(config.metadata.issuer).toBe(idp.issuer)
  expect(config.options).not.toHaveProperty('issuer')
})

test('a public client signs in, refreshes, reads UserInfo and signs out with the functions', async () => {
  const config = await spa()
  const tokens = await login(config)
  expect(tokens.claims()?.email).toBe('alice@example.com')
  const next = await refreshGrant(config, tokens)
  expect(next.accessToken).not.toBe(tokens.accessToken)
  expect(next.claims()?.sub).toBe('user-alice')
  await expect(fetchUserinfo(config, next)).resolves.toMatchObject({ sub: 'user-alice' })
  await expect(
    fetchUserinfo(config, next.accessToken, { expectedSubject: 'user-bob' }),
  ).rejects.toMatchObject({ code: 'ERR_USERINFO_SUBJECT_MISMATCH' })
  await revokeToken(config, next.refreshToken as string, { tokenTypeHint: 'refresh_token' })
  await expect(refreshGrant(config, next)).rejects.toMatchObject({ error: 'invalid_grant' })
  const url = buildEndSessionUrl(config, { idTokenHint: next, state: 'bye' })
  expect(url.searchParams.get('id_token_hint')).toBe(next.idToken)
  expect(url.searchParams.get('client_id')).toBe('spa')
})

test('RFC 9126: pushAuthorizationRequest() pushes the parameters and returns a request_uri URL', async () => {
  let pushed: URLSearchParams | undefined
  const fetch: FetchLike = async (request) => {
    pushed = new URLSearchParams(await request.text())
    return Response.json(
      { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 },
      { status: 201 },
    )
  }
  const config = createClientConfig(
    {
      issuer: 'https://id.test',
      authorization_endpoint: 'https://id.test/authorize',
      pushed_authorization_request_endpoint: 'https://id.test/par',
      require_pushed_authorization_requests: true,
    },
    { clientId: 'spa', redirectUri: SPA_REDIRECT, fetch },
  )
  const params = { state: 's', nonce: 'n', codeChallenge: 'c'.repeat(43), prompt: 'login' }
  expect(() => buildAuthorizationUrl(config, params)).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
  )
  const url = await pushAuthorizationRequest(config, params)
  expect(url.origin + url.pathname).toBe('https://id.test/authorize')
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: 'spa',
    request_uri: 'urn:ietf:params:oauth:request_uri:abc',
  })
  expect(Object.fromEntries(pushed ?? [])).toMatchObject({
    client_id: 'spa',
    redirect_uri: SPA_REDIRECT,
    code_challenge: 'c'.repeat(43),
    code_challenge_method: 'S256',
    prompt: 'login',
  })
})

test('a confidential client authenticates with createClientAuthentication()', async () => {
  for (const tokenEndpointAuthMethod of [
    undefined,
    'client_secret_basic',
    'client_secret_post',
  ] as const) {
    const config = await discover({
      issuer: idp.issuer,
      clientId: 'service',
      fetch: idp.fetch,
      clientAuthentication: createClientAuthentication({
        clientSecret: 'service-secret',
        tokenEndpointAuthMethod,
      }),
    })
    const { accessToken } = await clientCredentialsGrant(config, { scope: 'api:read' })
    await expect(introspectToken(config, accessToken)).resolves.toMatchObject({ active: true })
    await revokeToken(config, accessToken)
    await expect(introspectToken(config, accessToken)).resolves.toMatchObject({ active: false })
  }
  const wrong = await discover({
    issuer: idp.issuer,
    clientId: 'service',
    fetch: idp.fetch,
    clientAuthentication: createClientAuthentication({ clientSecret: 'wrong-secret' }),
  })
  await expect(clientCredentialsGrant(wrong, { scope: 'api:read' })).rejects.toMatchObject({
    name: 'OAuthError',
    error: 'invalid_client',
  })
})

test('a configuration without clientAuthentication is a public client', async () => {
  const config = await discover({ issuer: idp.issuer, clientId: 'service', fetch: idp.fetch })
  await expect(clientCredentialsGrant(config, { scope: 'api:read' })).rejects.toMatchObject({
    error: 'invalid_client',
  })
})

test('RFC 8628: requestDeviceAuthorization() and pollDeviceToken() complete the device flow', async () => {
  const config = await discover({ issuer: idp.issuer, clientId: 'cli', fetch: idp.fetch })
  const device = await requestDeviceAuthorization(config, { scope: 'openid offline_access' })
  expect(idp.approveDevice(device.userCode, 'alice')).toBe(true)
  const tokens = await pollDeviceToken(config, { ...device, interval: 0 })
  expect(tokens.claims()?.sub).toBe('user-alice')
})

test('client_secret_basic falls back to _post when the provider only advertises that', async () => {
  const bodies: string[] = []
  const authorizations: (string | null)[] = []
  const fetch: FetchLike = async (request) => {
    bodies.push(await request.clone().text())
    authorizations.push(request.headers.get('authorization'))
    return Response.json({ access_token: 'an-access-token', token_type: 'Bearer' })
  }
  const config = createClientConfig(
    {
      issuer: 'https://id.test',
      token_endpoint: 'https://id.test/token',
      token_endpoint_auth_methods_supported: ['client_secret_post'],
    },
    {
      clientId: 'service',
      fetch,
      clientAuthentication: createClientAuthentication({ clientSecret: 'service-secret' }),
    },
  )
  await clientCredentialsGrant(config)
  expect(new URLSearchParams(bodies[0]).get('client_secret')).toBe('service-secret')
  expect(authorizations[0]).toBeNull()
})

test('createClientAuthentication() signs a private_key_jwt assertion with a private JWK', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  let form: URLSearchParams | undefined
  const fetch: FetchLike = async (request) => {
    form = new URLSearchParams(await request.text())
    return Response.json({ access_token: 'an-access-token', token_type: 'Bearer' })
  }
  const config = createClientConfig(
    { issuer: 'https://id.test', token_endpoint: 'https://id.test/token' },
    {
      clientId: 'service',
      fetch,
      clientAuthentication: createClientAuthentication({
        privateKey: { ...(await exportJWK(privateKey)), kid: 'client-key' },
      }),
    },
  )
  await clientCredentialsGrant(config, { scope: 'api:read' })
  expect(form?.get('client_assertion_type')).toBe(
    'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  )
  const { payload, protectedHeader } = await jwtVerify(
    form?.get('client_assertion') ?? '',
    publicKey,
    { audience: 'https://id.test' },
  )
  expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'client-key' })
  expect(payload).toMatchObject({ iss: 'service', sub: 'service' })
})

test('Client exposes its configuration to the functions', async () => {
  const client = await Client.discover({
    issuer: idp.issuer,
    clientId: 'spa',
    redirectUri: SPA_REDIRECT,
    fetch: idp.fetch,
  })
  const tokens = await login(client.config)
  await expect(client.refresh(await refreshGrant(client.config, tokens))).resolves.toMatchObject({
    tokenType: 'bearer',
  })
  expect(client.config.options).not.toHaveProperty('clientSecret')
})

test('a configuration refuses credentials other than clientAuthentication', async () => {
  const metadata = { issuer: 'https://id.test', token_endpoint: 'https://id.test/token' }
  expect(() =>
    createClientConfig(metadata, {
      clientId: 'service',
      ...({ clientSecret: 'service-secret' } as object),
    }),
  ).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
  await expect(
    discover({
      issuer: idp.issuer,
      clientId: 'service',
      ...({ privateKey: {} } as object),
    }),
  ).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  expect(() =>
    createClientConfig(metadata, {
      clientId: 'service',
      clientAuthentication: 'service-secret' as never,
    }),
  ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  expect(() =>
    createClientAuthentication({ tokenEndpointAuthMethod: 'client_secret_jwt' as never }),
  ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  expect(() => createClientAuthentication({ tokenEndpointAuthMethod: 'private_key_jwt' })).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
  )
})

test('createClientConfig() checks endpoints like discovery', () => {
  expect(() =>
    createClientConfig(
      { issuer: 'https://id.test', token_endpoint: 'http://id.test/token' },
      { clientId: 'spa' },
    ),
  ).toThrow(expect.objectContaining({ name: 'DiscoveryError', code: 'ERR_INSECURE_ENDPOINT' }))
})
