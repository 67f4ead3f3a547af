import { expect, test } from 'vitest'
import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'
import { basic, post } from './helpers.js'

// The throttles on guessing: client secrets (AS-6). Each limit runs on the idp clock; while a
// limit holds, the right answer is refused too, or the limit would not slow guessing.

const CLIENT_CREDENTIALS = { grant_type: 'client_credentials' }

function authenticate(idp: MockIdp, clientId: string, secret: string): Promise<Response> {
  return post(idp, '/oauth/token', CLIENT_CREDENTIALS, { authorization: basic(clientId, secret) })
}

/** An assertion that claims to come from `sub` and is signed by nobody. */
function forgedAssertion(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'ES256' })}.${part({ iss: sub, sub, jti: crypto.randomUUID() })}.c2ln`
}

test('AS-6: ten wrong secrets lock a confidential client, the right secret included, for the rest of a 60 s window', async () => {
  const idp = createMockIdp()
  for (let i = 0; i < 10; i++)
    expect((await authenticate(idp, 'service', `w${i}`)).status).toBe(401)
  const locked = await authenticate(idp, 'service', 'service-secret')
  expect(locked.status).toBe(429)
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60)
  // Attempts refused while locked are not counted: hammering does not make the lock longer.
  idp.clock.advance(30)
  for (let i = 0; i < 30; i++)
    expect((await authenticate(idp, 'service', `x${i}`)).status).toBe(429)
  idp.clock.advance(31)
  expect((await authenticate(idp, 'service', 'service-secret')).status).toBe(200)
})

test('AS-6: an unknown client_id has nothing to guess and is never throttled or counted', async () => {
  const idp = createMockIdp()
  for (let i = 0; i < 25; i++) {
    const res = await authenticate(idp, 'no-such-client', `w${i}`)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'invalid_client' })
  }
})

test('AS-6: forged assertions in the name of a public client never lock it out', async () => {
  const idp = createMockIdp()
  for (let i = 0; i < 20; i++) {
    const res = await post(idp, '/oauth/token', {
      ...CLIENT_CREDENTIALS,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: forgedAssertion('cli'),
    })
    expect(res.status).toBe(401)
  }
  const device = await post(idp, '/oauth/device/code', { client_id: 'cli' })
  expect(device.status).toBe(200)
})

test('AS-6: failures of one client never lock another', async () => {
  const idp = createMockIdp()
  for (let i = 0; i < 12; i++) await authenticate(idp, 'web-app', `w${i}`)
  expect((await authenticate(idp, 'web-app', 'web-app-secret')).status).toBe(429)
  expect((await authenticate(idp, 'service', 'service-secret')).status).toBe(200)
})
