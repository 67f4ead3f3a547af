import { beforeEach, expect, test } from 'vitest'
import { Client, OAuthError, TokenValidationError } from '@oidckit/core'
import { createHostileProvider } from './hostile-provider.js'
import type { HostileProvider } from './hostile-provider.js'

let idp: HostileProvider
let client: Client

const checks = { state: 'the-state', nonce: 'the-nonce', codeVerifier: 'v'.repeat(43) }

beforeEach(async () => {
  idp = await createHostileProvider({ issuer: `https://hostile-${crypto.randomUUID()}.test` })
  idp.claims.nonce = 'the-nonce'
  client = await Client.discover({
    issuer: idp.issuer,
    clientId: idp.clientId,
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
  })
})

async function callbackError(callback: string | URL | URLSearchParams) {
  const err = await client.authorizationCodeGrant(callback, checks).catch((e: unknown) => e)
  expect(idp.tokenRequests).toHaveLength(0)
  return err
}

test('accepts the callback as a string, a URL or URLSearchParams', async () => {
  const callback = idp.callback()
  await client.authorizationCodeGrant(callback, checks)
  await client.authorizationCodeGrant(new URL(callback), checks)
  await client.authorizationCodeGrant(new URL(callback).searchParams, checks)
  expect(idp.tokenRequests.map((p) => p.get('code'))).toEqual(['the-code', 'the-code', 'the-code'])
})

test('C-1: rejects a callback whose state does not match, before redeeming the code', async () => {
  const err = await callbackError(idp.callback({ code: 'c', state: 'forged', iss: idp.issuer }))
  expect(err).toBeInstanceOf(TokenValidationError)
  expect(err).toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'state',
    reason: 'mismatch',
  })
})

test('C-1: rejects a callback without state', async () => {
  const err = await callbackError(idp.callback({ code: 'c', iss: idp.issuer }))
  expect(err).toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'state',
    reason: 'missing',
  })
})

test('C-3, RP-8: rejects a callback whose iss is another authorization server (mix-up)', async () => {
  const err = await callbackError(
    idp.callback({ code: 'c', state: 'the-state', iss: 'https://evil.test' }),
  )
  expect(err).toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'iss',
    reason: 'mismatch',
  })
  expect((err as Error).message).toMatch(/mix-up/)
})

test('RP-8: rejects a callback without iss when the provider advertises it', async () => {
  const err = await callbackError(idp.callback({ code: 'c', state: 'the-state' }))
  expect(err).toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'iss',
    reason: 'missing',
  })
})

test('RP-8: accepts a callback without iss when the provider does not advertise it', async () => {
  const metadata = { ...idp.metadata, authorization_response_iss_parameter_supported: false }
  client = Client.fromMetadata(metadata as never, {
    clientId: idp.clientId,
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
  })
  await expect(
    client.authorizationCodeGrant(idp.callback({ code: 'c', state: 'the-state' }), checks),
  ).resolves.toBeDefined()
})

test('RP-8: never attributes an error response with a foreign iss to this provider', async () => {
  const err = await callbackError(
    idp.callback({ error: 'access_denied', state: 'the-state', iss: 'https://evil.test' }),
  )
  expect(err).toBeInstanceOf(TokenValidationError)
})

test('turns ?error= on the callback into an OAuthError', async () => {
  const err = await callbackError(
    idp.callback({
      error: 'access_denied',
      error_description: 'User said no\r\nInjected: 1',
      state: 'the-state',
      iss: idp.issuer,
    }),
  )
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({
    code: 'ERR_AUTHORIZATION_RESPONSE',
    error: 'access_denied',
    errorDescription: 'User said no Injected: 1',
    status: undefined,
  })
})

test('C-7: rejects a callback carrying tokens (implicit or hybrid flow)', async () => {
  const err = await callbackError(
    idp.callback({ code: 'c', state: 'the-state', iss: idp.issuer, id_token: 'x' }),
  )
  expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_RESPONSE_INVALID', claim: 'response_type' })
})

test('RP-9: fails closed when a check value is missing', async () => {
  const callback = idp.callback()
  for (const bad of [
    { ...checks, state: undefined },
    { ...checks, codeVerifier: undefined },
    { ...checks, state: '' },
  ]) {
    await expect(client.authorizationCodeGrant(callback, bad as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/),
    })
  }
  expect(idp.tokenRequests).toHaveLength(0)
})

test('turns a token endpoint error into an OAuthError with the status', async () => {
  idp.tokenResponse = async () =>
    Response.json({ error: 'invalid_grant', error_description: 'code used' }, { status: 400 })
  const err = await client.authorizationCodeGrant(idp.callback(), checks).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({
    code: 'ERR_OAUTH_RESPONSE',
    error: 'invalid_grant',
    errorDescription: 'code used',
    status: 400,
  })
  expect((err as OAuthError).response?.status).toBe(400)
  expect((err as Error).message).toMatch(/sign the user in again/)
})

test('turns a WWW-Authenticate challenge into an OAuthError', async () => {
  idp.tokenResponse = async () =>
    new Response(null, {
      status: 401,
      headers: { 'www-authenticate': 'Basic error="invalid_client"' },
    })
  const err = await client.authorizationCodeGrant(idp.callback(), checks).catch((e: unknown) => e)
  expect(err).toMatchObject({ name: 'OAuthError', error: 'invalid_client', status: 401 })
})

test('rejects a token response without an access token as an invalid response', async () => {
  idp.tokenResponse = async () => Response.json({ token_type: 'Bearer' })
  const err = await client.authorizationCodeGrant(idp.callback(), checks).catch((e: unknown) => e)
  expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_RESPONSE_INVALID' })
})

test('RP-5: rejects a refreshed ID token for another subject', async () => {
  const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
  idp.claims.sub = 'mallory'
  const err = await client.refresh(tokens).catch((e: unknown) => e)
  expect(err).toMatchObject({
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'sub',
    reason: 'mismatch',
  })
})

test('RP-5: rejects a refreshed ID token with another auth_time', async () => {
  idp.claims.auth_time = idp.now() - 100
  const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
  idp.claims.auth_time = idp.now()
  await expect(client.refresh(tokens)).rejects.toMatchObject({ claim: 'auth_time' })
})

test('RP-5: accepts a refreshed ID token for the same authentication and keeps the refresh token when not rotated', async () => {
  const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
  idp.tokenResponse = async () =>
    Response.json({
      access_token: 'new-at',
      token_type: 'Bearer',
      expires_in: 60,
      id_token: await idp.signIdToken(),
    })
  const next = await client.refresh(tokens, { scope: 'openid' })
  expect(next.accessToken).toBe('new-at')
  expect(next.refreshToken).toBe(tokens.refreshToken)
  expect(next.claims()?.sub).toBe('alice')
  expect(idp.tokenRequests.at(-1)?.get('refresh_token')).toBe(tokens.refreshToken)
  expect(idp.tokenRequests.at(-1)?.get('scope')).toBe('openid')
})

test('RP-6: rejects a UserInfo response for another subject', async () => {
  const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
  idp.userinfo = { sub: 'mallory', email: 'mallory@example.com' }
  const err = await client.userinfo(tokens).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(TokenValidationError)
  expect(err).toMatchObject({ code: 'ERR_USERINFO_SUBJECT_MISMATCH', claim: 'sub' })
  await expect(
    client.userinfo(tokens.accessToken, { expectedSubject: 'alice' }),
  ).rejects.toMatchObject({
    code: 'ERR_USERINFO_SUBJECT_MISMATCH',
  })
})

test('RP-6: requires a subject to check a bare access token against', async () => {
  await expect(client.userinfo('at')).rejects.toMatchObject({
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
  })
})

test('RP-6: verifies a signed UserInfo response like an ID token', async () => {
  idp.metadata.userinfo_signing_alg_values_supported = ['RS256']
  client = await Client.discover({
    issuer: idp.issuer,
    clientId: idp.clientId,
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
    forceRefresh: true,
  })
  const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
  idp.routes['/userinfo'] = async () =>
    new Response(await idp.signWithForeignKey(), { headers: { 'content-type': 'application/jwt' } })
  await expect(client.userinfo(tokens)).rejects.toMatchObject({
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  })
  idp.routes['/userinfo'] = async () =>
    new Response(await idp.signIdToken({ email: 'alice@example.com' }), {
      headers: { 'content-type': 'application/jwt' },
    })
  await expect(client.userinfo(tokens)).resolves.toMatchObject({
    sub: 'alice',
    email: 'alice@example.com',
  })
})

test('uses PAR when the provider requires it', async () => {
  idp.metadata.require_pushed_authorization_requests = true
  client = await Client.discover({
    issuer: idp.issuer,
    clientId: idp.clientId,
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
    forceRefresh: true,
  })
  const params = { state: 's', nonce: 'n', codeChallenge: 'c'.repeat(43), scope: 'openid' }
  expect(() => client.authorizationUrl(params)).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
  )
  let pushed: URLSearchParams | undefined
  idp.routes['/par'] = async (request) => {
    pushed = new URLSearchParams(await request.text())
    return Response.json(
      { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 },
      { status: 201 },
    )
  }
  const url = await client.createAuthorizationUrl({ ...params, prompt: 'login' })
  expect(url.origin + url.pathname).toBe(`${idp.issuer}/authorize`)
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: 'app',
    request_uri: 'urn:ietf:params:oauth:request_uri:abc',
  })
  expect(pushed?.get('code_challenge')).toBe('c'.repeat(43))
  expect(pushed?.get('prompt')).toBe('login')
})
