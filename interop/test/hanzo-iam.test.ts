import { Client, createPkce, randomNonce, randomState } from '@oidckit/core'
import { deviceLogin } from '@oidckit/device-cli'
import { createMockIdp, type MockIdp, type MockIdpServer } from '@oidckit/mock-idp'
import { createTokenVerifier } from '@oidckit/node-server'
import { createTokenSource } from '@oidckit/service-credentials'
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  HANZO_API,
  HANZO_SPA_REDIRECT,
  HANZO_WEB_REDIRECT,
  hanzoIamConfig,
  type HanzoClaims,
} from '../src/hanzo-iam'
import { decideDeviceAtMockIdp, signInAtMockIdp } from '../src/mock-idp-login'
import { UserAgent } from '../src/user-agent'

let idp: MockIdp
let server: MockIdpServer
let issuer: string
beforeAll(async () => {
  idp = createMockIdp(hanzoIamConfig())
  server = await idp.listen({ port: 0 })
  issuer = server.url
})
afterAll(() => server?.close())

async function codeFlow(client: Client<HanzoClaims>, redirectUri: string, username = 'z') {
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid profile email offline_access',
    state,
    nonce,
    codeChallenge: pkce.challenge,
  })
  const callback = await signInAtMockIdp(new UserAgent(), url, {
    username,
    password: `${username}-password`,
    redirectUri,
  })
  return client.authorizationCodeGrant(callback, { state, nonce, codeVerifier: pkce.verifier })
}

test('C-12: discovery gives the Hanzo IAM endpoint layout', async () => {
  const client = await Client.discover({ issuer, clientId: 'app-hanzo-spa' })
  expect(client.issuer.metadata).toMatchObject({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    device_authorization_endpoint: `${issuer}/oauth/device/code`,
    end_session_endpoint: `${issuer}/oauth/logout`,
    jwks_uri: `${issuer}/.well-known/jwks`,
  })
  const oauth = await fetch(`${issuer}/.well-known/oauth-authorization-server`)
  expect(((await oauth.json()) as { issuer: string }).issuer).toBe(issuer)
})

test('core signs a Hanzo user in and reads owner, isAdmin and type from the ID token and userinfo', async () => {
  const client = await Client.discover<HanzoClaims>({
    issuer,
    clientId: 'app-hanzo-spa',
    redirectUri: HANZO_SPA_REDIRECT,
  })
  const tokens = await codeFlow(client, HANZO_SPA_REDIRECT)
  const claims = tokens.claims()!
  expect(claims).toMatchObject({
    sub: 'hanzo/z',
    owner: 'hanzo',
    name: 'z',
    displayName: 'Zach Kelling',
    isAdmin: true,
    type: 'normal-user',
    email: 'z@hanzo.ai',
  })
  const owner: string = claims.owner
  expect(owner).toBe('hanzo')
  // accessTokenTtl: 7200, as Hanzo IAM issues.
  expect(tokens.expiresIn).toBeGreaterThan(7200 - 30)
  expect(tokens.expiresIn).toBeLessThanOrEqual(7200)
  const at = decodeJwt(tokens.accessToken)
  expect(at.exp! - at.iat!).toBe(7200)
  expect(await client.userinfo(tokens)).toMatchObject({
    sub: 'hanzo/z',
    owner: 'hanzo',
    isAdmin: true,
    type: 'normal-user',
  })
  const refreshed = await client.refresh(tokens)
  expect(refreshed.claims()).toMatchObject({ sub: 'hanzo/z', owner: 'hanzo', isAdmin: true })
})

test('a confidential Hanzo app (client_secret_post) signs in, introspects and revokes', async () => {
  const client = await Client.discover<HanzoClaims>({
    issuer,
    clientId: 'app-hanzo-web',
    clientSecret: 'hanzo-web-secret',
    tokenEndpointAuthMethod: 'client_secret_post',
    redirectUri: HANZO_WEB_REDIRECT,
  })
  const tokens = await codeFlow(client, HANZO_WEB_REDIRECT, 'ann')
  expect(tokens.claims()).toMatchObject({ owner: 'acme', isAdmin: false, type: 'normal-user' })
  expect(await client.introspect(tokens.accessToken)).toMatchObject({
    active: true,
    sub: 'acme/ann',
  })
  await client.revoke(tokens.refreshToken!)
  expect((await client.introspect(tokens.accessToken)).active).toBe(false)
})

test('C-18: node-server verifies a Hanzo access token and exposes owner, isAdmin and type', async () => {
  const client = await Client.discover<HanzoClaims>({
    issuer,
    clientId: 'app-hanzo-spa',
    redirectUri: HANZO_SPA_REDIRECT,
  })
  const tokens = await codeFlow(client, HANZO_SPA_REDIRECT, 'ann')
  const verifier = createTokenVerifier<HanzoClaims>({ issuer, audience: HANZO_API })
  const { claims } = await verifier.verify(tokens.accessToken)
  expect(claims).toMatchObject({
    iss: issuer,
    sub: 'acme/ann',
    aud: HANZO_API,
    client_id: 'app-hanzo-spa',
    owner: 'acme',
    isAdmin: false,
    type: 'normal-user',
  })
  const elsewhere = createTokenVerifier({ issuer, audience: 'http://127.0.0.1:4999' })
  await expect(elsewhere.verify(tokens.accessToken)).rejects.toMatchObject({ claim: 'aud' })
})

test('RP-18: service-credentials gets one 7200 s token for the service account, shared by concurrent callers', async () => {
  let tokenRequests = 0
  const source = createTokenSource({
    issuer,
    clientId: 'app-hanzo-service',
    clientSecret: 'hanzo-service-secret',
    scope: 'api:read',
    fetch: (request) => {
      if (new URL(request.url).pathname === '/oauth/token') tokenRequests++
      return fetch(request)
    },
  })
  const tokens = await Promise.all(Array.from({ length: 100 }, () => source.getTokenSet()))
  expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1)
  expect(tokenRequests).toBe(1)
  expect(tokens[0]!.expiresIn).toBeGreaterThan(7200 - 30)
  const verifier = createTokenVerifier<HanzoClaims>({ issuer, audience: HANZO_API })
  const { claims, scopes } = await verifier.verify(tokens[0]!.accessToken)
  expect(claims).toMatchObject({
    sub: 'hanzo/billing-bot',
    client_id: 'app-hanzo-service',
    owner: 'hanzo',
    type: 'service-account',
  })
  expect(scopes).toEqual(['api:read'])
})

test('RP-19: device-cli deviceLogin completes when a Hanzo user approves on the /device pages', async () => {
  let approval: Promise<string> | undefined
  const tokens = await deviceLogin({
    issuer,
    clientId: 'app-hanzo-cli',
    scope: 'openid profile offline_access',
    signal: AbortSignal.timeout(30_000),
    onCode: ({ userCode, verificationUri }) => {
      approval = decideDeviceAtMockIdp(new UserAgent(), verificationUri, userCode, {
        username: 'z',
        password: 'z-password',
        action: 'approve',
      })
    },
  })
  await approval
  expect(tokens.claims()).toMatchObject({ sub: 'hanzo/z', owner: 'hanzo', isAdmin: true })
  expect(tokens.refreshToken).toEqual(expect.any(String))
  expect(tokens.expiresIn).toBeGreaterThan(7200 - 30)
})

test('AS-5: JSON-bodied token requests are accepted as Hanzo IAM accepts them', async () => {
  const json = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  // Authorization code, with the client secret in the JSON body (client_secret_post).
  const pkce = await createPkce()
  const nonce = randomNonce()
  const query = new URLSearchParams({
    client_id: 'app-hanzo-web',
    response_type: 'code',
    redirect_uri: HANZO_WEB_REDIRECT,
    scope: 'openid profile offline_access',
    state: 'json-state',
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  })
  const callback = await signInAtMockIdp(new UserAgent(), `${issuer}/oauth/authorize?${query}`, {
    username: 'z',
    password: 'z-password',
    redirectUri: HANZO_WEB_REDIRECT,
  })
  const code = await json({
    grant_type: 'authorization_code',
    client_id: 'app-hanzo-web',
    client_secret: 'hanzo-web-secret',
    code: callback.searchParams.get('code')!,
    redirect_uri: HANZO_WEB_REDIRECT,
    code_verifier: pkce.verifier,
  })
  expect(code.status).toBe(200)
  expect(code.headers.get('cache-control')).toContain('no-store')
  const body = (await code.json()) as Record<string, string | number>
  expect(body).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), expires_in: 7200 })
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`))
  const { payload } = await jwtVerify(String(body.id_token), jwks, {
    issuer,
    audience: 'app-hanzo-web',
  })
  expect(payload).toMatchObject({ sub: 'hanzo/z', nonce, owner: 'hanzo', isAdmin: true })

  const refreshed = await json({
    grant_type: 'refresh_token',
    client_id: 'app-hanzo-web',
    client_secret: 'hanzo-web-secret',
    refresh_token: String(body.refresh_token),
  })
  expect(refreshed.status).toBe(200)
  expect(((await refreshed.json()) as { refresh_token: string }).refresh_token).not.toBe(
    body.refresh_token,
  )

  // Client credentials with Basic authentication and a JSON body.
  const basic = `Basic ${btoa('app-hanzo-service:hanzo-service-secret')}`
  const service = await json(
    { grant_type: 'client_credentials', scope: 'api:write' },
    { authorization: basic },
  )
  expect(service.status).toBe(200)
  const cc = (await service.json()) as { access_token: string; scope: string }
  expect(cc.scope).toBe('api:write')
  expect(decodeJwt(cc.access_token)).toMatchObject({ sub: 'hanzo/billing-bot', owner: 'hanzo' })

  // A JSON body gets RFC 6749 errors like a form does.
  const wrong = await json({
    grant_type: 'client_credentials',
    client_id: 'app-hanzo-service',
    client_secret: 'not-the-secret',
  })
  expect(wrong.status).toBe(401)
  expect(await wrong.json()).toMatchObject({ error: 'invalid_client' })
  const malformed = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"grant_type":',
  })
  expect(malformed.status).toBe(400)
  expect(await malformed.json()).toMatchObject({ error: 'invalid_request' })
})
