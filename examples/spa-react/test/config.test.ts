import { defaultConfig } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { config } from '../src/config'

test("the example's client, redirect and post-logout URIs are registered in mock-idp's demo config", () => {
  const spa = defaultConfig().clients?.find((c) => c.clientId === config.clientId)
  expect(spa?.tokenEndpointAuthMethod).toBe('none')
  expect(spa?.redirectUris).toContain(config.redirectUri)
  expect(spa?.postLogoutRedirectUris).toContain(config.postLogoutRedirectUri)
  expect(spa?.grantTypes).toContain('refresh_token')
})

test('the example talks to mock-idp and the API on their default ports', () => {
  expect(config.issuer).toBe('http://localhost:9400')
  expect(config.apiUrl).toBe('http://localhost:4000')
  expect(config.scope.split(' ')).toEqual(
    expect.arrayContaining(['openid', 'offline_access', 'api:read']),
  )
})
