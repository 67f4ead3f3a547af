import { expect, test } from 'vitest'
import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'
import { basic, get, pkce, post } from './helpers.js'

// The throttles on guessing: client secrets (AS-6), user codes (AS-12) and passwords on the login
// forms (AS-10). Each limit runs on the idp clock; while a
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

async function deviceCode(idp: MockIdp): Promise<string> {
  const res = await post(idp, '/oauth/device/code', { client_id: 'cli' })
  return ((await res.json()) as { user_code: string }).user_code
}

/** A user code the idp never issued (a different first letter from `real`). */
function wrongCodeFor(real: string, i: number): string {
  return `${real.startsWith('B') ? 'C' : 'B'}${real.slice(1, 4)}-${'BCDFGHJK'.slice(i % 4, (i % 4) + 4)}`
}

function enterCode(idp: MockIdp, userCode: string, cookie: string): Promise<Response> {
  return post(
    idp,
    '/device',
    { action: 'code', user_code: userCode, csrf_token: cookie },
    { cookie: `mock_idp_csrf=${cookie}` },
  )
}

test('AS-12: after five wrong codes a browser is refused even the right code, until the code lifetime ends', async () => {
  const idp = createMockIdp()
  const real = await deviceCode(idp)
  const cookie = 'a'.repeat(43)
  for (let i = 0; i < 5; i++)
    expect((await enterCode(idp, wrongCodeFor(real, i), cookie)).status).toBe(400)
  const refused = await enterCode(idp, real, cookie)
  expect(refused.status).toBe(429)
  expect(await refused.text()).toMatch(/Too many wrong codes\. Try again in 10 minutes\./)
  expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(600)
  const page = await get(idp, `/device?user_code=${real}`, { cookie: `mock_idp_csrf=${cookie}` })
  expect(page.status).toBe(429)
  // Another browser is not affected.
  expect((await enterCode(idp, real, 'b'.repeat(43))).status).toBe(303)
  idp.clock.advance(600)
  const next = await deviceCode(idp)
  expect((await enterCode(idp, next, cookie)).status).toBe(303)
})

test('AS-12: after fifty wrong codes from all browsers, every browser is refused the right code until the window ends', async () => {
  const idp = createMockIdp()
  const real = await deviceCode(idp)
  for (let i = 0; i < 50; i++) {
    // A fresh browser, or none at all (no cookie), for every guess.
    const res =
      i % 2 === 0
        ? await enterCode(idp, wrongCodeFor(real, i), `fresh-${i}`)
        : await get(idp, `/device?user_code=${wrongCodeFor(real, i)}`)
    expect(res.status).toBe(400)
  }
  expect((await get(idp, `/device?user_code=${real}`)).status).toBe(429)
  expect((await enterCode(idp, real, 'c'.repeat(43))).status).toBe(429)
  idp.clock.advance(600)
  const next = await deviceCode(idp)
  expect((await get(idp, `/device?user_code=${next}`)).status).toBe(200)
})

test('AS-12: wrong codes sent without a cookie count for all browsers only, never against a fresh visitor', async () => {
  const idp = createMockIdp()
  const real = await deviceCode(idp)
  for (let i = 0; i < 8; i++)
    expect((await get(idp, `/device?user_code=${wrongCodeFor(real, i)}`)).status).toBe(400)
  // A person opening verification_uri_complete in a new browser sends no cookie either.
  expect((await get(idp, `/device?user_code=${real}`)).status).toBe(200)
})

const BROWSER = 'd'.repeat(43)

function deviceLogin(idp: MockIdp, userCode: string, username: string, password: string) {
  return post(
    idp,
    '/device',
    { action: 'login', user_code: userCode, username, password, csrf_token: BROWSER },
    { cookie: `mock_idp_csrf=${BROWSER}` },
  )
}

/** Opens the authorization endpoint's login form and returns a function that submits it. */
async function authorizeLogin(idp: MockIdp) {
  const query = new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    redirect_uri: 'http://localhost:5173/callback',
    scope: 'openid',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  })
  const page = await get(idp, `/oauth/authorize?${query}`, { cookie: `mock_idp_csrf=${BROWSER}` })
  const tx = /name="tx" value="([^"]+)"/.exec(await page.text())![1]!
  return (username: string, password: string) =>
    post(
      idp,
      '/oauth/authorize',
      { tx, csrf_token: BROWSER, username, password },
      { cookie: `mock_idp_csrf=${BROWSER}` },
    )
}

test('AS-10: ten wrong passwords lock a username on the device page, the right one included, for five minutes', async () => {
  const idp = createMockIdp()
  const code = await deviceCode(idp)
  for (let i = 0; i < 10; i++)
    expect((await deviceLogin(idp, code, 'alice', `w${i}`)).status).toBe(401)
  const locked = await deviceLogin(idp, code, 'alice', 'alice-password')
  expect(locked.status).toBe(429)
  expect(locked.headers.get('location')).toBeNull()
  expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(300)
  expect(await locked.text()).toContain(
    'Too many failed sign-ins for this username. Try again in 5 minutes.',
  )
  // Another username is not affected.
  expect((await deviceLogin(idp, code, 'bob', 'bob-password')).status).toBe(303)
  idp.clock.advance(300)
  expect((await deviceLogin(idp, code, 'alice', 'alice-password')).status).toBe(303)
})

test('AS-10: the password limit counts across login transactions and both login forms', async () => {
  const idp = createMockIdp()
  const first = await authorizeLogin(idp)
  for (let i = 0; i < 4; i++) expect((await first('alice', `w${i}`)).status).toBe(401)
  const code = await deviceCode(idp)
  for (let i = 0; i < 6; i++)
    expect((await deviceLogin(idp, code, 'alice', `x${i}`)).status).toBe(401)
  const second = await authorizeLogin(idp)
  const locked = await second('alice', 'alice-password')
  expect(locked.status).toBe(429)
  expect(await locked.text()).toContain('Too many failed sign-ins for this username.')
  // The lock does not use up the transaction: it still signs in once the window ends.
  idp.clock.advance(300)
  expect((await second('alice', 'alice-password')).status).toBe(303)
})

test('AS-10: an unknown username is locked like a known one, so the limit reveals nothing', async () => {
  const idp = createMockIdp()
  const code = await deviceCode(idp)
  for (let i = 0; i < 10; i++)
    expect((await deviceLogin(idp, code, 'mallory', `w${i}`)).status).toBe(401)
  expect((await deviceLogin(idp, code, 'mallory', 'w10')).status).toBe(429)
})
