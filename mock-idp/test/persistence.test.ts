import { createMockIdp, type MockIdpStorage } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { basic, get, post } from './helpers.js'

function memoryStorage(): MockIdpStorage & { files: Map<string, string> } {
  const files = new Map<string, string>()
  return {
    files,
    load: async (name) => files.get(name),
    save: async (name, data) => void files.set(name, data),
  }
}

test('with a storage, keys, refresh tokens and access tokens survive a restart', async () => {
  const storage = memoryStorage()
  const first = createMockIdp({ storage, signingAlg: 'ES256' })
  const tokens = await first.issueTokens({ user: 'alice', clientId: 'spa' })
  await first.flush()
  expect(storage.files.get('keys.json')).toContain('"d"')
  const second = createMockIdp({ storage, signingAlg: 'ES256' })
  expect((await second.jwks()).keys[0]!.kid).toBe((await first.jwks()).keys[0]!.kid)
  expect(
    (await get(second, '/oauth/userinfo', { authorization: `Bearer ${tokens.access_token}` }))
      .status,
  ).toBe(200)
  const refreshed = await post(second, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token!,
    client_id: 'spa',
  })
  expect(refreshed.status).toBe(200)
})

test("without a storage a new instance knows nothing of the old one's tokens", async () => {
  const first = createMockIdp({ signingAlg: 'ES256' })
  const tokens = await first.issueTokens({ user: 'alice', clientId: 'spa' })
  const second = createMockIdp({ signingAlg: 'ES256' })
  const res = await post(second, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token!,
    client_id: 'spa',
  })
  expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
})

test('a revoked access token stays revoked after a restart', async () => {
  const storage = memoryStorage()
  const first = createMockIdp({ storage, signingAlg: 'ES256' })
  const tokens = await first.issueTokens({ user: 'alice', clientId: 'spa' })
  await post(first, '/oauth/revoke', { token: tokens.access_token, client_id: 'spa' })
  await first.flush()
  const second = createMockIdp({ storage, signingAlg: 'ES256' })
  const info = await get(second, '/oauth/userinfo', {
    authorization: `Bearer ${tokens.access_token}`,
  })
  expect(info.status).toBe(401)
})

test('client-credentials tokens keep no server-side state: issuing them writes nothing', async () => {
  const storage = memoryStorage()
  const idp = createMockIdp({ storage, signingAlg: 'ES256' })
  await idp.jwks() // the first key is generated and saved
  await idp.flush()
  const saved = storage.files.get('state.json')
  const tokens = await idp.issueTokens({ clientId: 'service' })
  await idp.flush()
  expect(storage.files.get('state.json')).toBe(saved)
  const res = await post(
    idp,
    '/oauth/introspect',
    { token: tokens.access_token },
    { authorization: basic('service', 'service-secret') },
  )
  expect(await res.json()).toMatchObject({ active: true, client_id: 'service' })
})

test('a state file of the first format still loads: refresh tokens survive, access tokens do not', async () => {
  const storage = memoryStorage()
  const first = createMockIdp({ storage, signingAlg: 'ES256' })
  const tokens = await first.issueTokens({ user: 'alice', clientId: 'spa' })
  await first.flush()
  const state = JSON.parse(storage.files.get('state.json')!) as Record<string, unknown>
  storage.files.set(
    'state.json',
    JSON.stringify({
      version: 1,
      refreshTokens: state.refreshTokens,
      accessTokens: [],
      sessions: [],
    }),
  )
  const second = createMockIdp({ storage, signingAlg: 'ES256' })
  const info = await get(second, '/oauth/userinfo', {
    authorization: `Bearer ${tokens.access_token}`,
  })
  expect(info.status).toBe(401)
  const refreshed = await post(second, '/oauth/token', {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token!,
    client_id: 'spa',
  })
  expect(refreshed.status).toBe(200)
})
