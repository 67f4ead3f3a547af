import { createHash, randomBytes } from 'node:crypto'
import { afterEach, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'

// A hostile client against mock-idp's limits over loopback HTTP: guessing user codes, client
// secrets and passwords is slowed for real (the right answer is refused too while a limit
// holds), no one can lock out a client that has nothing to guess, and floods of junk evict old
// records rather than grow the server. Every limit runs on the idp clock, which the tests
// advance instead of waiting. These add to hostile-client.test.ts.

const SECRETS = ['web-app-secret', 'service-secret', 'alice-password', 'bob-password']
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

interface Server {
  idp: MockIdp
  url: string
  close(): Promise<void>
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function serve(): Promise<Server> {
  const idp = createMockIdp()
  const server = await idp.listen({ port: 0 })
  const served = { idp, url: server.url, close: () => server.close() }
  servers.push(served)
  return served
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

/** The body, after checking the answer is no 5xx and leaks no stack trace or known secret. */
async function safeText(res: Response): Promise<string> {
  const text = await res.text()
  expect(res.status, text.slice(0, 200)).toBeLessThan(500)
  expect(text).not.toMatch(/\n\s+at [\w.<>]+ \(|node_modules|\.ts:\d+|TypeError|RangeError/)
  for (const secret of SECRETS) expect(text).not.toContain(secret)
  return text
}

async function status(res: Promise<Response>): Promise<number> {
  const answer = await res
  await safeText(answer)
  return answer.status
}

function postForm(
  base: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
    redirect: 'manual',
  })
}

async function deviceCode(server: Server): Promise<string> {
  const res = await postForm(server.url, '/oauth/device/code', { client_id: 'cli' })
  expect(res.status).toBe(200)
  return ((await res.json()) as { user_code: string }).user_code
}

/** A well-formed user code that is not `real`. */
function wrongCode(real: string, i: number): string {
  return `${real.startsWith('B') ? 'C' : 'B'}${real.slice(1, 4)}-${'BCDFGHJK'.slice(i % 4, (i % 4) + 4)}`
}

/** A browser: its own CSRF cookie, sent with each form it posts. */
function browser(server: Server, cookie = randomBytes(32).toString('base64url')) {
  const headers = { cookie: `mock_idp_csrf=${cookie}` }
  return {
    enterCode: (userCode: string) =>
      postForm(
        server.url,
        '/device',
        { action: 'code', user_code: userCode, csrf_token: cookie },
        headers,
      ),
    openCode: (userCode: string) =>
      fetch(`${server.url}/device?user_code=${encodeURIComponent(userCode)}`, {
        headers,
        redirect: 'manual',
      }),
    deviceLogin: (userCode: string, username: string, password: string) =>
      postForm(
        server.url,
        '/device',
        { action: 'login', user_code: userCode, username, password, csrf_token: cookie },
        headers,
      ),
    /** Opens the authorization endpoint's login form; returns a function that submits it. */
    async authorizeLogin() {
      const verifier = randomBytes(32).toString('base64url')
      const query = new URLSearchParams({
        client_id: 'spa',
        response_type: 'code',
        redirect_uri: 'http://localhost:5173/callback',
        scope: 'openid',
        state: randomBytes(8).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })
      const page = await fetch(`${server.url}/oauth/authorize?${query}`, { headers })
      const tx = /name="tx" value="([^"]+)"/.exec(await safeText(page))![1]!
      return (username: string, password: string) =>
        postForm(
          server.url,
          '/oauth/authorize',
          { tx, csrf_token: cookie, username, password },
          headers,
        )
    },
  }
}

test('AS-12: after five wrong codes a browser is refused the right code too (429, Retry-After), until the idp clock passes the code lifetime', async () => {
  const server = await serve()
  const real = await deviceCode(server)
  const guesser = browser(server)
  for (let i = 0; i < 5; i++) expect(await status(guesser.enterCode(wrongCode(real, i)))).toBe(400)
  for (const res of [await guesser.enterCode(real), await guesser.openCode(real)]) {
    const text = await safeText(res)
    expect(res.status).toBe(429)
    expect(text).toContain('Too many wrong codes.')
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(600)
  }
  server.idp.clock.advance(600)
  const next = await deviceCode(server)
  expect(await status(guesser.enterCode(next))).toBe(303)
})

test('AS-12: fifty wrong codes from fresh browsers (or none) stop every browser, the right code included, and the idp clock lifts it', async () => {
  const server = await serve()
  const real = await deviceCode(server)
  for (let i = 0; i < 50; i++) {
    const guess = wrongCode(real, i)
    const res =
      i % 2 === 0
        ? browser(server).enterCode(guess)
        : fetch(`${server.url}/device?user_code=${guess}`, { redirect: 'manual' })
    expect(await status(res)).toBe(400)
  }
  expect(await status(browser(server).enterCode(real))).toBe(429)
  expect(await status(fetch(`${server.url}/device?user_code=${real}`))).toBe(429)
  expect(server.idp.approveDevice(real, 'alice'), 'the library API is not a browser').toBe(true)
  server.idp.clock.advance(600)
  const next = await deviceCode(server)
  expect(await status(fetch(`${server.url}/device?user_code=${next}`))).toBe(200)
})

test('AS-6: forged assertions in the name of a public client never lock it out', async () => {
  const server = await serve()
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  for (let i = 0; i < 20; i++) {
    const assertion = `${part({ alg: 'RS256' })}.${part({ iss: 'cli', sub: 'cli', jti: `${i}` })}.c2ln`
    const res = await postForm(server.url, '/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: 'x',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    })
    expect(await status(Promise.resolve(res))).toBe(401)
  }
  await deviceCode(server)
})

test('AS-6: junk client_ids, long ones included, are never throttled and never touch a real client’s count', async () => {
  const server = await serve()
  const service = (secret: string) =>
    postForm(
      server.url,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('service', secret) },
    )
  for (let i = 0; i < 9; i++) expect(await status(service(`wrong-${i}`))).toBe(401)
  for (let i = 0; i < 200; i++) {
    // The same few ids again and again: an unknown id has nothing to guess, so no 429.
    const clientId = `junk-${i % 5}-${'x'.repeat(i % 2 === 0 ? 60_000 : 10)}`
    const res = postForm(server.url, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: `guess-${i}`,
    })
    expect(await status(res)).toBe(401)
  }
  expect(await status(service('wrong-9'))).toBe(401)
  const locked = await service('service-secret')
  await safeText(locked)
  expect(locked.status, 'the tenth failure still counted; the right secret is refused').toBe(429)
  expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60)
  server.idp.clock.advance(60)
  expect(await status(service('service-secret'))).toBe(200)
})

test('AS-10: ten wrong passwords lock a username across both login forms with a clear message, until the idp clock passes five minutes', async () => {
  const server = await serve()
  const attacker = browser(server)
  const real = await deviceCode(server)
  for (let i = 0; i < 6; i++) {
    expect(await status(attacker.deviceLogin(real, 'alice', `guess-${i}`))).toBe(401)
  }
  const form = await attacker.authorizeLogin()
  for (let i = 0; i < 4; i++) expect(await status(form('alice', `guess-x${i}`))).toBe(401)

  // Alice herself, from another browser, with the right password.
  const alice = browser(server)
  const login = await alice.authorizeLogin()
  const locked = await login('alice', 'alice-password')
  const text = await safeText(locked)
  expect(locked.status).toBe(429)
  expect(locked.headers.get('location')).toBeNull()
  expect(text).toContain('Too many failed sign-ins for this username. Try again in 5 minutes.')
  expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(300)
  expect(await status(alice.deviceLogin(real, 'alice', 'alice-password'))).toBe(429)
  expect(await status(alice.deviceLogin(real, 'bob', 'bob-password'))).toBe(303)

  server.idp.clock.advance(300)
  const signedIn = await login('alice', 'alice-password')
  await safeText(signedIn)
  expect(signedIn.status).toBe(303)
  expect(new URL(signedIn.headers.get('location')!).searchParams.get('code')).toBeTruthy()
})

test('AS-17: a flood of large abandoned logins evicts the oldest login, not the newest, and keeps the request log small', async () => {
  const server = await serve()
  const first = await browser(server).authorizeLogin()
  const big = 's'.repeat(60_000)
  for (let i = 0; i < 80; i++) {
    const res = await postForm(server.url, '/oauth/authorize', {
      client_id: 'spa',
      response_type: 'code',
      redirect_uri: 'http://localhost:5173/callback',
      scope: 'openid',
      state: `${i}-${big}`,
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    })
    expect(await status(Promise.resolve(res))).toBe(200)
  }
  const last = await browser(server).authorizeLogin()
  const evicted = await first('alice', 'alice-password')
  expect(await safeText(evicted)).toContain('expired')
  expect(evicted.status).toBe(400)
  expect(await status(last('alice', 'alice-password'))).toBe(303)
  expect(JSON.stringify(server.idp.requests()).length).toBeLessThan(100 * 5_000)
})
