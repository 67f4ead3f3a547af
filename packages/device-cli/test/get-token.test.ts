import { afterEach, beforeEach, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import {
  CredentialStore,
  NetworkError,
  TokenSet,
  getToken,
  getTokenSet,
  isLoginRequired,
  logout,
} from '@oidckit/device-cli'
import { tempDir } from './helpers.js'

const issuer = 'https://idp.test'
const scope = 'openid profile offline_access'
const key = { issuer, clientId: 'cli', scope }
let idp: MockIdp
let dir: string
let remove: () => Promise<void>

beforeEach(async () => {
  idp = createMockIdp({ issuer })
  ;({ dir, remove } = await tempDir())
})

afterEach(async () => {
  await remove()
})

const clock = () => idp.clock.now() * 1000
const options = () => ({ ...key, configDir: dir, fetch: idp.fetch, clock, env: {} })
const store = () => new CredentialStore({ configDir: dir })
const tokenRequests = () => idp.requests().filter((r) => r.endpoint === 'token')

async function seed(): Promise<TokenSet> {
  const body = await idp.issueTokens({ user: 'alice', clientId: 'cli', scope })
  const tokens = new TokenSet(
    {
      accessToken: body.access_token,
      tokenType: body.token_type,
      expiresIn: body.expires_in,
      refreshToken: body.refresh_token,
      idToken: body.id_token,
    },
    { clock },
  )
  await store().set(key, tokens)
  idp.clearRequests()
  return tokens
}

test('returns the stored access token while it is valid, without a request', async () => {
  const seeded = await seed()
  expect(await getToken(options())).toBe(seeded.accessToken)
  expect(idp.requests()).toHaveLength(0)
})

test('says to run oidckit login when nothing is stored', async () => {
  const err = await getToken(options()).catch((e: unknown) => e)
  expect(isLoginRequired(err)).toBe(true)
  expect(err).toMatchObject({ name: 'OAuthError', code: 'ERR_OAUTH_RESPONSE' })
  expect((err as Error).message).toContain('run `oidckit login`'.replace('run', 'Run'))
})

test('RP-20: refreshes an expired token and stores the new refresh token before returning', async () => {
  const seeded = await seed()
  idp.clock.advance(3600)
  const fresh = await getTokenSet(options())
  expect(fresh.accessToken).not.toBe(seeded.accessToken)
  expect(fresh.refreshToken).not.toBe(seeded.refreshToken)
  const stored = await store().get(key)
  expect(stored?.tokens.refreshToken).toBe(fresh.refreshToken)
  expect(stored?.tokens.accessToken).toBe(fresh.accessToken)
  expect(await getToken(options())).toBe(fresh.accessToken)
  expect(tokenRequests()).toHaveLength(1)
})

test('refreshes a token that expires within minValidity', async () => {
  const seeded = await seed()
  idp.clock.advance(3600 - 30)
  expect(await getToken(options())).not.toBe(seeded.accessToken)
  expect(tokenRequests()).toHaveLength(1)
})

test('RP-20: two concurrent callers refresh once and share the new tokens', async () => {
  await seed()
  idp.clock.advance(3600)
  const results = await Promise.all([getToken(options()), getToken(options()), getToken(options())])
  expect(new Set(results).size).toBe(1)
  expect(tokenRequests()).toHaveLength(1)
  // The rotated refresh token was never replayed, so the family is still alive.
  idp.clock.advance(3600)
  await expect(getToken(options())).resolves.toBeTruthy()
})

test('RP-20: forgets the session and says to log in when the refresh token is refused', async () => {
  const seeded = await seed()
  // Spend the refresh token elsewhere: the stored one is now a replay and is refused.
  await (
    await import('@oidckit/core')
  ).Client.discover({ issuer, clientId: 'cli', fetch: idp.fetch, clock }).then((c) =>
    c.refresh(seeded.refreshToken as string),
  )
  idp.clock.advance(3600)
  const err = await getToken(options()).catch((e: unknown) => e)
  expect(isLoginRequired(err)).toBe(true)
  expect((err as Error).message).toContain('oidckit login')
  expect(await store().get(key)).toBeUndefined()
})

test('keeps the session when the provider is down during a refresh', async () => {
  const seeded = await seed()
  idp.clock.advance(3600)
  idp.injectFault({ endpoint: 'token', kind: 'server_error', times: 1 })
  await expect(getToken(options())).rejects.toBeInstanceOf(NetworkError)
  expect((await store().get(key))?.tokens.refreshToken).toBe(seeded.refreshToken)
  await expect(getToken(options())).resolves.toBeTruthy()
})

test('says to log in when the token expired and there is no refresh token', async () => {
  await store().set(key, new TokenSet({ accessToken: 'at', tokenType: 'bearer', expiresAt: 1 }))
  const err = await getToken(options()).catch((e: unknown) => e)
  expect(isLoginRequired(err)).toBe(true)
  expect(idp.requests()).toHaveLength(0)
})

test('takes issuer, client and scope from OIDCKIT_* variables', async () => {
  const seeded = await seed()
  const token = await getToken({
    configDir: dir,
    fetch: idp.fetch,
    clock,
    env: { OIDCKIT_ISSUER: issuer, OIDCKIT_CLIENT_ID: 'cli', OIDCKIT_SCOPE: scope },
  })
  expect(token).toBe(seeded.accessToken)
})

test('RP-20: logout revokes the refresh token and forgets the entry', async () => {
  const seeded = await seed()
  expect(await logout(options())).toBe(true)
  expect(await store().get(key)).toBeUndefined()
  expect(idp.requests().map((r) => r.endpoint)).toContain('revoke')
  const client = await (
    await import('@oidckit/core')
  ).Client.discover({ issuer, clientId: 'cli', fetch: idp.fetch, clock })
  await expect(client.refresh(seeded.refreshToken as string)).rejects.toMatchObject({
    error: 'invalid_grant',
  })
  expect(await logout(options())).toBe(false)
})

test('RP-20: logout retries once on 503 and keeps the entry when revocation keeps failing', async () => {
  await seed()
  let unavailable = 2
  const revokes: string[] = []
  const fetch = async (request: Request) => {
    if (!request.url.endsWith('/oauth/revoke')) return idp.fetch(request)
    revokes.push(request.url)
    if (unavailable-- > 0) return new Response('busy', { status: 503 })
    return idp.fetch(request)
  }
  await expect(logout({ ...options(), fetch })).rejects.toMatchObject({
    name: 'NetworkError',
    status: 503,
  })
  expect(revokes).toHaveLength(2)
  expect(await store().get(key)).toBeDefined()
  expect(await logout({ ...options(), fetch })).toBe(true)
  expect(await store().get(key)).toBeUndefined()
})
