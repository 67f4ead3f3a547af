import { createMockIdp } from '@oidckit/mock-idp'
import { mockIdpHandlers } from '@oidckit/mock-idp/msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, test } from 'vitest'

const idp = createMockIdp({ issuer: 'https://idp.test', signingAlg: 'ES256' })
const server = setupServer(...mockIdpHandlers(idp))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

test('msw handlers serve the issuer origin through idp.fetch', async () => {
  const doc = (await (
    await fetch('https://idp.test/.well-known/openid-configuration')
  ).json()) as Record<string, string>
  expect(doc.token_endpoint).toBe('https://idp.test/oauth/token')
  const res = await fetch('https://idp.test/oauth/token', {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa('service:service-secret')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  })
  expect(res.status).toBe(200)
})
