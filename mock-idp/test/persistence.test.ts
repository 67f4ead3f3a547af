import { createMockIdp, type MockIdpStorage } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { get, post } from './helpers.js'

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
