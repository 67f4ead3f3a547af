import { createHash, randomBytes } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp, MockIdpConfig } from '@oidckit/mock-idp'
import { FormBrowser } from '../src/form-browser.js'

// A hostile web page against mock-idp over loopback HTTP: what a page the developer visits can
// send to a server on localhost (forms, no-cors fetches, a rebound DNS name) and what a slow
// client can hold. Every attempt is refused or only asks to confirm, never a 5xx, and changes
// nothing. These add to hostile-client.test.ts; mock-idp/test/cross-site.test.ts covers every
// route in-process.

const EVIL = 'https://evil.test'
const ADMIN_TOKEN = 'cross-site-admin-token-7f3a9c'
const SECRETS = ['alice-password', 'bob-password', 'web-app-secret', ADMIN_TOKEN]
const SPA_REDIRECT = 'http://localhost:5173/callback'

interface Server {
  idp: MockIdp
  url: string
  port: number
  close(): Promise<void>
}

async function serve(config: MockIdpConfig = {}, listen = {}): Promise<Server> {
  const idp = createMockIdp({ signingAlg: 'ES256', ...config })
  const server = await idp.listen({ port: 0, ...listen })
  return { idp, url: server.url, port: server.port, close: () => server.close() }
}

/** The body, after checking the answer is no 5xx and leaks no stack trace or known secret. */
function checkSafe(status: number, headers: Headers, text: string): void {
  expect(status, text.slice(0, 200)).toBeLessThan(500)
  expect(text).not.toMatch(/\n\s+at [\w.<>]+ \(|node_modules|\.ts:\d+|TypeError|RangeError/)
  for (const secret of SECRETS) {
    expect(text).not.toContain(secret)
    for (const [, value] of headers) expect(value).not.toContain(secret)
  }
}

/** A refusal as the control API gives it: the status, JSON, no CORS grant, no caching. */
function expectControlRefusal(
  res: { status: number; headers: Headers; text: string },
  status: number,
) {
  checkSafe(res.status, res.headers, res.text)
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(res.headers.get('cache-control')).toContain('no-store')
  expect(res.headers.get('access-control-allow-origin')).toBeNull()
  const body = JSON.parse(res.text) as { error?: string; error_description?: string }
  expect(body.error).toEqual(expect.any(String))
  expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/)
}

/** One raw HTTP exchange with node:http, which sends `Host` (and anything else) as given. */
function send(
  server: Server,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: '127.0.0.1', port: server.port, method, path, headers },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          const out = new Headers()
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') out.set(name, value)
          }
          resolve({ status: res.statusCode!, headers: out, text })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** What the control API could change, read in-process. */
async function controlState(idp: MockIdp) {
  const state = (await (await idp.fetch(new Request(`${idp.issuer}/_mock/state`))).json()) as {
    users: { username: string }[]
  }
  return {
    users: state.users.map((user) => user.username).sort(),
    keys: (await idp.jwks()).keys.length,
    requests: idp.requests().length,
  }
}

describe('the control API from a hostile page (CSRF, DNS rebinding)', () => {
  // Embedded with listen(): loopback callers need no token, so only the page rules stand.
  let open: Server
  // As the CLI runs it: an admin token on top.
  let guarded: Server
  beforeAll(async () => {
    open = await serve({ controlApi: true })
    guarded = await serve({ controlApi: true, adminToken: ADMIN_TOKEN })
  })
  afterAll(async () => {
    await open.close()
    await guarded.close()
  })
  const own = (server: Server) => `127.0.0.1:${server.port}`
  const addUser = JSON.stringify({ username: 'mallory', password: 'mallory-password' })

  test.each([
    ['a no-cors fetch with a text/plain body', { 'content-type': 'text/plain;charset=UTF-8' }, 415],
    [
      'the same from the page’s origin',
      { 'content-type': 'text/plain;charset=UTF-8', origin: EVIL, 'sec-fetch-site': 'cross-site' },
      403,
    ],
    [
      'an HTML form post',
      { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL },
      403,
    ],
    ['JSON from a foreign origin', { 'content-type': 'application/json', origin: EVIL }, 403],
    [
      'JSON from a sandboxed frame (Origin: null)',
      { 'content-type': 'application/json', origin: 'null' },
      403,
    ],
    [
      'JSON from another app on localhost',
      { 'content-type': 'application/json', origin: 'http://localhost:5173' },
      403,
    ],
    [
      'JSON marked cross-site by the browser',
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      403,
    ],
  ])(
    'AS-10: %s to POST /_mock/users is refused and adds no user',
    async (_why, headers, status) => {
      const before = await controlState(open.idp)
      const res = await send(open, 'POST', '/_mock/users', { host: own(open), ...headers }, addUser)
      expectControlRefusal(res, status)
      expect(await controlState(open.idp)).toEqual(before)
    },
  )

  test('AS-10: a CORS preflight from a foreign origin gets no CORS grant', async () => {
    const res = await send(open, 'OPTIONS', '/_mock/users', {
      host: own(open),
      origin: EVIL,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    })
    expectControlRefusal(res, 403)
    expect(res.headers.get('access-control-allow-methods')).toBeNull()
  })

  test.each([
    ['GET', '/_mock/state', undefined],
    ['GET', '/_mock/requests', undefined],
    ['POST', '/_mock/tokens', JSON.stringify({ user: 'alice', clientId: 'spa' })],
    ['POST', '/_mock/keys/rotate', undefined],
    ['POST', '/_mock/reset', undefined],
  ])(
    'AS-10: %s %s under a rebound DNS name (Host of the page, same origin to the browser) is refused',
    async (method, path, body) => {
      const before = await controlState(open.idp)
      const host = `rebound.evil.test:${open.port}`
      const res = await send(
        open,
        method,
        path,
        {
          host,
          origin: `http://${host}`,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/json',
        },
        body,
      )
      expectControlRefusal(res, 403)
      expect(res.text).not.toContain('access_token')
      expect(res.text).not.toContain('alice@example.com')
      expect(await controlState(open.idp)).toEqual(before)
    },
  )

  test('AS-10: the same-origin JSON request is served (control), under any loopback name of the port', async () => {
    for (const host of [own(open), `localhost:${open.port}`, `[::1]:${open.port}`]) {
      const res = await send(open, 'GET', '/_mock/clock', { host })
      checkSafe(res.status, res.headers, res.text)
      expect(res.status, host).toBe(200)
    }
  })

  test.each([
    ['no Authorization', undefined],
    ['an empty bearer', 'Bearer '],
    ['a prefix of the token', `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ['the token plus a character', `Bearer ${ADMIN_TOKEN}x`],
    ['the token upper-cased', `Bearer ${ADMIN_TOKEN.toUpperCase()}`],
    [
      'the token as Basic credentials',
      `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
    ],
    ['the token in a second header', `Bearer wrong, Bearer ${ADMIN_TOKEN}`],
  ])(
    'AS-10: with an admin token, a loopback same-origin request with %s is 401 and changes nothing',
    async (_why, authorization) => {
      const before = await controlState(guarded.idp)
      const res = await send(
        guarded,
        'POST',
        '/_mock/users',
        {
          host: own(guarded),
          'content-type': 'application/json',
          ...(authorization === undefined ? {} : { authorization }),
        },
        addUser,
      )
      expectControlRefusal(res, 401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /)
      expect(await controlState(guarded.idp)).toEqual(before)
    },
  )

  test('AS-10: with the admin token the control API answers (control), and the token is not echoed', async () => {
    const res = await send(guarded, 'GET', '/_mock/state', {
      host: own(guarded),
      authorization: `Bearer ${ADMIN_TOKEN}`,
    })
    checkSafe(res.status, res.headers, res.text)
    expect(res.status).toBe(200)
  })

  test('AS-10: ordinary endpoints still allow their CORS (the rules are the control API’s only)', async () => {
    const res = await fetch(`${open.url}/.well-known/openid-configuration`, {
      headers: { origin: 'http://localhost:5173' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    await res.text()
  })
})

// ---------------------------------------------------------------------------------------------

function authorizeQuery(extra: Record<string, string> = {}): URLSearchParams {
  const verifier = randomBytes(32).toString('base64url')
  return new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    redirect_uri: SPA_REDIRECT,
    scope: 'openid',
    state: 'the-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  })
}

/** A browser signed in as alice through the login form. */
async function signedInBrowser(server: Server): Promise<FormBrowser> {
  const browser = new FormBrowser(server.url)
  const page = FormBrowser.form(
    await (await browser.request(`/oauth/authorize?${authorizeQuery()}`)).text(),
  )
  page.fields.set('username', 'alice')
  page.fields.set('password', 'alice-password')
  const res = await browser.post(page.action, page.fields)
  expect(res.status).toBe(303)
  await res.text()
  return browser
}

/** Whether the browser still has an IdP session: `prompt=none` gives a code only then. */
async function isSignedIn(browser: FormBrowser): Promise<boolean> {
  const res = await browser.request(`/oauth/authorize?${authorizeQuery({ prompt: 'none' })}`)
  await res.text()
  const location = res.headers.get('location')
  return location !== null && new URL(location).searchParams.has('code')
}

async function expectConfirmationPage(res: Response): Promise<string> {
  const text = await res.text()
  checkSafe(res.status, res.headers, text)
  expect(res.status).toBe(200)
  expect(res.headers.get('location')).toBeNull()
  expect(res.headers.getSetCookie().join('\n')).not.toMatch(/mock_idp_session=/)
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  expect(res.headers.get('x-frame-options')).toBe('DENY')
  expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  expect(text).toContain('Sign out?')
  expect(text).toMatch(/<form method="post"/)
  expect(text).toContain('name="csrf_token"')
  return text
}

describe('logout CSRF (AS-11)', () => {
  let server: Server
  beforeAll(async () => {
    server = await serve()
  })
  afterAll(() => server.close())

  test('AS-11: a cross-site link to /oauth/logout without id_token_hint only asks, and the session stays', async () => {
    const browser = await signedInBrowser(server)
    const res = await browser.request('/oauth/logout', {
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    await expectConfirmationPage(res)
    expect(await isSignedIn(browser)).toBe(true)
  })

  test('AS-11: a cross-site form posting the confirmation without its CSRF token is 403, and the session stays', async () => {
    const browser = await signedInBrowser(server)
    for (const fields of [
      { action: 'logout' } as Record<string, string>,
      { action: 'logout', csrf_token: randomBytes(32).toString('base64url') },
    ]) {
      const res = await browser.post('/oauth/logout', new URLSearchParams(fields), {
        origin: EVIL,
        'sec-fetch-site': 'cross-site',
      })
      const text = await res.text()
      checkSafe(res.status, res.headers, text)
      expect(res.status).toBe(403)
      expect(res.headers.get('location')).toBeNull()
    }
    expect(await isSignedIn(browser)).toBe(true)
  })

  test('AS-11: the attacker’s own valid id_token_hint (with a registered URI) does not sign the victim out', async () => {
    const browser = await signedInBrowser(server)
    const own = await server.idp.issueTokens({ user: 'bob', clientId: 'spa', scope: 'openid' })
    const query = new URLSearchParams({
      id_token_hint: own.id_token!,
      post_logout_redirect_uri: 'http://localhost:5173/',
      state: '"><script>alert(1)</script>',
    })
    const text = await expectConfirmationPage(
      await browser.request(`/oauth/logout?${query}`, {
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
    )
    expect(text).not.toContain('<script>')
    expect(await isSignedIn(browser)).toBe(true)
  })

  test('AS-11: the user confirming on the page signs out (control)', async () => {
    const browser = await signedInBrowser(server)
    const page = FormBrowser.form(await (await browser.request('/oauth/logout')).text())
    const res = await browser.post(page.action, page.fields)
    const text = await res.text()
    checkSafe(res.status, res.headers, text)
    expect(res.status).toBe(200)
    expect(text).toContain('Signed out')
    expect(await isSignedIn(browser)).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------

describe('slow clients (AS-17)', () => {
  // Small limits keep the cases short. The server closing the connection is the only way these
  // cases end: a server that never cuts it off fails by vitest's test timeout.
  const LIMITS = { requestTimeout: 400, headersTimeout: 400 }

  /** Feeds the connection through `step` every 50 ms until the server closes it. */
  async function untilClosed(server: Server, step: (socket: ReturnType<typeof connect>) => void) {
    const socket = connect(server.port, '127.0.0.1')
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', () => {}) // a reset once the server cuts the connection is expected
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    const timer = setInterval(() => {
      if (socket.writable) step(socket)
    }, 50)
    const stop = () => {
      clearInterval(timer)
      socket.destroy()
    }
    // Also when the test times out, so nothing keeps feeding a server that never cut it off.
    onTestFinished(stop)
    await closed
    stop()
    return { received }
  }

  test('AS-17: a token request whose body is dripped a byte at a time is cut off, and others are served', async () => {
    const server = await serve({}, LIMITS)
    try {
      let sentHead = false
      const { received } = await untilClosed(server, (socket) => {
        if (!sentHead) {
          socket.write(
            'POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
              'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\n',
          )
          sentHead = true
        } else socket.write('a')
      })
      if (received) expect(received).toMatch(/^HTTP\/1\.1 408 /)
      const res = await fetch(`${server.url}/.well-known/openid-configuration`)
      expect(res.status).toBe(200)
      await res.text()
    } finally {
      await server.close()
    }
  })

  test('AS-17: a connection that never sends a request line is closed', async () => {
    const server = await serve({}, LIMITS)
    try {
      await untilClosed(server, () => {})
    } finally {
      await server.close()
    }
  })
})
