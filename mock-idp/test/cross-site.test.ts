import { request as httpRequest } from 'node:http'
import { createMockIdp, type MockIdp, type MockIdpConfig } from '@oidckit/mock-idp'
import { afterEach, expect, test } from 'vitest'
import { CONTROL_ROUTES } from '../src/endpoints/control.js'
import { Browser, get, loginWithCode, pkce, post } from './helpers.js'
import { isSignedIn } from './session.js'

// Every state-changing endpoint of mock-idp gets a request a hostile web page could make: from a
// foreign Origin, as a form or text/plain body (no CORS preflight), without the CSRF token, or,
// for the control API, to a foreign Host (DNS rebinding) or without the admin token. Each is
// refused, and nothing changed. The victim's cookies are sent anyway: SameSite=Lax does not
// stop a page on another port of localhost, which is the same site.

const EVIL = 'https://evil.example'
/** The virtual clock stands here; a changed clock is visible as a different year. */
const FUTURE = 4_000_000_000

interface World {
  idp: MockIdp
  /** Signed in as alice, with a CSRF cookie of her own. */
  victim: Browser
  sessionCookie: string
  userCode: string
  deviceCode: string
  accessToken: string
  url?: string
}

const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function world(options: { http?: boolean; config?: MockIdpConfig } = {}): Promise<World> {
  const idp = createMockIdp({ signingAlg: 'ES256', controlApi: true, ...options.config })
  let url: string | undefined
  if (options.http) {
    const server = await idp.listen({ port: 0 })
    servers.push(server)
    url = server.url
  }
  idp.clock.set(FUTURE)
  const { browser: victim } = await loginWithCode(idp)
  const device = (await (await post(idp, '/oauth/device/code', { client_id: 'cli' })).json()) as {
    user_code: string
    device_code: string
  }
  const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  idp.injectFault({ endpoint: 'introspect', kind: 'oauth_error', error: 'intact', status: 418 })
  idp.clearRequests()
  await get(idp, '/.well-known/jwks')
  return {
    idp,
    victim,
    sessionCookie: victim.cookies.get('mock_idp_session')!,
    userCode: device.user_code,
    deviceCode: device.device_code,
    accessToken: access_token,
    url,
  }
}

/** What each state-changing endpoint could change, read once at the end of a case. */
async function observe(w: World) {
  const { idp } = w
  const firstLogged = idp.requests()[0]?.endpoint
  const state = (await (await idp.fetch(new Request(`${idp.issuer}/_mock/state`))).json()) as {
    now: number
    users: { username: string; claims: { isAdmin?: boolean } }[]
  }
  const poll = (await (
    await post(idp, '/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: w.deviceCode,
      client_id: 'cli',
    })
  ).json()) as { error?: string }
  return {
    firstLogged,
    users: state.users.map((user) => `${user.username}:${user.claims.isAdmin === true}`),
    clockKept: state.now >= FUTURE,
    keys: (await idp.jwks()).keys.length,
    discovery: (await get(idp, '/.well-known/openid-configuration')).status,
    introspectFault: (await post(idp, '/oauth/introspect', { token: 'x' })).status,
    device: poll.error ?? 'approved',
    accessToken: (await get(idp, '/oauth/userinfo', { authorization: `Bearer ${w.accessToken}` }))
      .status,
    session: w.victim.cookies.get('mock_idp_session') === w.sessionCookie,
    signedIn: await isSignedIn(w.victim),
  }
}

const UNTOUCHED: Awaited<ReturnType<typeof observe>> = {
  firstLogged: 'jwks',
  users: ['alice:false', 'bob:true'],
  clockKept: true,
  keys: 1,
  discovery: 200,
  introspectFault: 418,
  device: 'authorization_pending',
  accessToken: 200,
  session: true,
  signedIn: true,
}

// ---------------------------------------------------------------------------------------------
// The control API

/** A request per state-changing control route, with a body that would change something. */
const CONTROL: Record<string, { path: string; body?: (w: World) => unknown }> = {
  'POST /users': { path: '/users', body: () => ({ username: 'mallory', password: 'mallory-pw' }) },
  'PATCH /users/:username': { path: '/users/alice', body: () => ({ claims: { isAdmin: true } }) },
  'POST /device/approve': {
    path: '/device/approve',
    body: (w) => ({ userCode: w.userCode, username: 'alice' }),
  },
  'POST /device/deny': { path: '/device/deny', body: (w) => ({ userCode: w.userCode }) },
  'POST /sessions/end': { path: '/sessions/end', body: () => ({ username: 'alice' }) },
  'POST /tokens': { path: '/tokens', body: () => ({ user: 'alice', clientId: 'spa' }) },
  'POST /keys/rotate': { path: '/keys/rotate' },
  'POST /clock': { path: '/clock', body: () => ({ set: 1_000_000_000 }) },
  'POST /faults': {
    path: '/faults',
    body: () => ({ endpoint: 'discovery', kind: 'server_error' }),
  },
  'DELETE /faults': { path: '/faults' },
  'DELETE /requests': { path: '/requests' },
  'POST /reset': { path: '/reset' },
}
const CONTROL_CASES = Object.keys(CONTROL)
const JSON_TYPE = 'application/json'

test('AS-10: the cross-site cases cover every state-changing control route', () => {
  expect(CONTROL_ROUTES.filter((route) => !route.startsWith('GET ')).sort()).toEqual(
    [...CONTROL_CASES].sort(),
  )
})

interface Sent {
  status: number
  body: string
}

function controlRequest(w: World, route: string, headers: Record<string, string>) {
  const [method] = route.split(' ') as [string]
  const spec = CONTROL[route]!
  const body = spec.body ? JSON.stringify(spec.body(w)) : undefined
  return { method, path: `/_mock${spec.path}`, headers, body }
}

async function sendInProcess(
  w: World,
  route: string,
  headers: Record<string, string>,
): Promise<Sent> {
  const r = controlRequest(w, route, headers)
  const res = await w.idp.fetch(
    new Request(`${w.idp.issuer}${r.path}`, { method: r.method, headers: r.headers, body: r.body }),
  )
  return { status: res.status, body: await res.text() }
}

/** Over loopback HTTP with node:http, which sends a `Host` exactly as given. */
function sendHttp(w: World, route: string, headers: Record<string, string>): Promise<Sent> {
  const r = controlRequest(w, route, headers)
  const { hostname, port } = new URL(w.url!)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, method: r.method, path: r.path, headers: r.headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      },
    )
    req.on('error', reject)
    req.end(r.body)
  })
}

test.each(CONTROL_CASES)(
  'AS-10: control %s takes effect as a same-origin JSON request (the observation sees it)',
  async (route) => {
    const w = await world()
    const sent = await sendInProcess(w, route, { 'content-type': JSON_TYPE })
    expect(sent.status).toBeLessThan(300)
    if (route === 'POST /tokens') expect(sent.body).toContain('access_token')
    else expect(await observe(w)).not.toEqual(UNTOUCHED)
  },
)

const CROSS_SITE: [string, number, Record<string, string>][] = [
  ['a text/plain body (no preflight)', 415, { 'content-type': 'text/plain;charset=UTF-8' }],
  ['a form body (no preflight)', 415, { 'content-type': 'application/x-www-form-urlencoded' }],
  ['no Content-Type at all', 415, {}],
  [
    'a text/plain body from a foreign Origin',
    403,
    { origin: EVIL, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain;charset=UTF-8' },
  ],
  ['JSON from a foreign Origin', 403, { origin: EVIL, 'content-type': JSON_TYPE }],
  ['JSON from an opaque Origin (null)', 403, { origin: 'null', 'content-type': JSON_TYPE }],
  [
    'JSON from another port of localhost (same site, other origin)',
    403,
    { origin: 'http://localhost:5173', 'content-type': JSON_TYPE },
  ],
  [
    'JSON with Sec-Fetch-Site: cross-site and no Origin',
    403,
    { 'sec-fetch-site': 'cross-site', 'content-type': JSON_TYPE },
  ],
  [
    'JSON with Sec-Fetch-Site: same-site and no Origin',
    403,
    { 'sec-fetch-site': 'same-site', 'content-type': JSON_TYPE },
  ],
  [
    'JSON to a foreign Host (DNS rebinding)',
    403,
    { host: 'rebound.evil.example:9400', 'content-type': JSON_TYPE },
  ],
  [
    'JSON to a foreign Host from that same origin (DNS rebinding, same-origin to the browser)',
    403,
    {
      host: 'rebound.evil.example:9400',
      origin: 'http://rebound.evil.example:9400',
      'sec-fetch-site': 'same-origin',
      'content-type': JSON_TYPE,
    },
  ],
  ['JSON to localhost on another port', 403, { host: 'localhost:9401', 'content-type': JSON_TYPE }],
]

test.each(
  CONTROL_CASES.flatMap((route) =>
    CROSS_SITE.map(([why, status, headers]) => [route, why, status, headers] as const),
  ),
)(
  'AS-10: control %s with %s is refused and changes nothing',
  async (route, _why, status, headers) => {
    const w = await world()
    const sent = await sendInProcess(w, route, headers)
    expect(sent.status).toBe(status)
    const body = JSON.parse(sent.body) as { error: string; error_description: string }
    expect(body.error).toEqual(expect.any(String))
    expect(body.error_description).toMatch(/control API/)
    expect(sent.body).not.toContain('access_token')
    expect(await observe(w)).toEqual(UNTOUCHED)
  },
)

test('AS-10: loopback aliases of the issuer and the issuer’s own origin are accepted', async () => {
  const w = await world()
  const accepted: Record<string, string>[] = [
    { host: 'localhost:9400' },
    { host: '127.0.0.1:9400' },
    { host: '[::1]:9400' },
    { host: 'LOCALHOST:9400', origin: 'http://localhost:9400', 'sec-fetch-site': 'same-origin' },
    { origin: 'http://127.0.0.1:9400' },
  ]
  for (const headers of accepted) {
    const res = await sendInProcess(w, 'POST /clock', { ...headers, 'content-type': JSON_TYPE })
    expect(res.status, JSON.stringify(headers)).toBe(200)
  }
})

const TOKEN = 'the-admin-token-0123456789'

test.each(CONTROL_CASES)(
  'AS-10: over HTTP with an admin token, control %s without it (or with a wrong one, or to a foreign Host) is refused and changes nothing',
  async (route) => {
    const w = await world({ http: true, config: { adminToken: TOKEN } })
    const host = new URL(w.url!).host
    const json = { host, 'content-type': JSON_TYPE }
    const missing = await sendHttp(w, route, json)
    expect(missing.status).toBe(401)
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'invalid_token' })
    const wrong = await sendHttp(w, route, { ...json, authorization: `Bearer ${TOKEN}x` })
    expect(wrong.status).toBe(401)
    const basic = await sendHttp(w, route, {
      ...json,
      authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
    })
    expect(basic.status).toBe(401)
    // A rebinding page cannot know the token; with it, the Host is still checked first.
    const rebound = await sendHttp(w, route, {
      ...json,
      host: `rebound.evil.example:${new URL(w.url!).port}`,
      authorization: `Bearer ${TOKEN}`,
    })
    expect(rebound.status).toBe(403)
    expect(await observe(w)).toEqual(UNTOUCHED)
  },
)

test('AS-10: over HTTP the admin token opens the control API, and idp.fetch needs none', async () => {
  const w = await world({ http: true, config: { adminToken: TOKEN } })
  const host = new URL(w.url!).host
  const res = await sendHttp(w, 'POST /clock', {
    host,
    'content-type': JSON_TYPE,
    authorization: `Bearer ${TOKEN}`,
  })
  expect(res.status).toBe(200)
  const inProcess = await sendInProcess(w, 'POST /users', { 'content-type': JSON_TYPE })
  expect(inProcess.status).toBe(201)
})

// ---------------------------------------------------------------------------------------------
// The pages: login form, device page, logout

const CROSS_SITE_FORM = {
  origin: EVIL,
  'sec-fetch-site': 'cross-site',
  'content-type': 'application/x-www-form-urlencoded',
}

/** The attacker's own login transaction and CSRF token, from their own browser. */
async function attackerLoginForm(idp: MockIdp): Promise<Record<string, string>> {
  const attacker = new Browser(idp)
  const query = new URLSearchParams({
    client_id: 'spa',
    redirect_uri: 'http://localhost:5173/callback',
    response_type: 'code',
    scope: 'openid',
    state: 'evil',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  })
  const html = await (await attacker.request(`${idp.issuer}/oauth/authorize?${query}`)).text()
  const fields: Record<string, string> = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] = match[2]!
  }
  expect(fields.tx).toBeTruthy()
  expect(fields.csrf_token).toBeTruthy()
  return fields
}

function crossSitePost(
  w: World,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = CROSS_SITE_FORM,
): Promise<Response> {
  return w.victim.request(`${w.idp.issuer}${path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
  })
}

const FORGED_CSRF = 'A'.repeat(43)

const PAGES: [string, number, (w: World) => Promise<Response>][] = [
  [
    'a login POST with the attacker’s own transaction and CSRF token (login CSRF)',
    403,
    async (w) =>
      crossSitePost(w, '/oauth/authorize', {
        ...(await attackerLoginForm(w.idp)),
        username: 'bob',
        password: 'bob-password',
      }),
  ],
  [
    'a login POST without a csrf_token',
    403,
    async (w) => {
      const { tx } = await attackerLoginForm(w.idp)
      return crossSitePost(w, '/oauth/authorize', {
        tx: tx!,
        username: 'bob',
        password: 'bob-password',
      })
    },
  ],
  [
    'a login POST as text/plain',
    400,
    async (w) =>
      crossSitePost(
        w,
        '/oauth/authorize',
        { ...(await attackerLoginForm(w.idp)), username: 'bob', password: 'bob-password' },
        { ...CROSS_SITE_FORM, 'content-type': 'text/plain' },
      ),
  ],
  [
    'a device code entry POST with a forged csrf_token',
    403,
    (w) =>
      crossSitePost(w, '/device', {
        action: 'code',
        user_code: w.userCode,
        csrf_token: FORGED_CSRF,
      }),
  ],
  [
    'a device login POST (login CSRF)',
    403,
    (w) =>
      crossSitePost(w, '/device', {
        action: 'login',
        user_code: w.userCode,
        username: 'bob',
        password: 'bob-password',
        csrf_token: FORGED_CSRF,
      }),
  ],
  [
    'a device approve POST',
    403,
    (w) =>
      crossSitePost(w, '/device', {
        action: 'approve',
        user_code: w.userCode,
        csrf_token: FORGED_CSRF,
      }),
  ],
  [
    'a device deny POST without a csrf_token',
    403,
    (w) => crossSitePost(w, '/device', { action: 'deny', user_code: w.userCode }),
  ],
  [
    'a device approve POST as text/plain',
    400,
    (w) =>
      crossSitePost(
        w,
        '/device',
        { action: 'approve', user_code: w.userCode, csrf_token: FORGED_CSRF },
        { ...CROSS_SITE_FORM, 'content-type': 'text/plain' },
      ),
  ],
  [
    'a logout confirmation POST with a forged csrf_token',
    403,
    (w) => crossSitePost(w, '/oauth/logout', { action: 'logout', csrf_token: FORGED_CSRF }),
  ],
  [
    'a logout confirmation POST without a csrf_token',
    403,
    (w) => crossSitePost(w, '/oauth/logout', { action: 'logout' }),
  ],
  [
    'a logout confirmation POST as text/plain',
    400,
    (w) =>
      crossSitePost(
        w,
        '/oauth/logout',
        { action: 'logout', csrf_token: FORGED_CSRF },
        { ...CROSS_SITE_FORM, 'content-type': 'text/plain' },
      ),
  ],
  // These two are answered with the confirmation page (200): it asks, and ends nothing.
  [
    'a logout GET without id_token_hint (a link or an image)',
    200,
    (w) =>
      w.victim.request(`${w.idp.issuer}/oauth/logout`, {
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
  ],
  [
    'an RP-style logout POST without id_token_hint',
    200,
    (w) => crossSitePost(w, '/oauth/logout', { state: 'x' }),
  ],
  [
    'a logout GET with the attacker’s own valid id_token_hint and registered URI',
    200,
    async (w) => {
      const own = await w.idp.issueTokens({ user: 'bob', clientId: 'spa', scope: 'openid' })
      const query = new URLSearchParams({
        id_token_hint: own.id_token!,
        post_logout_redirect_uri: 'http://localhost:5173/',
      })
      return w.victim.request(`${w.idp.issuer}/oauth/logout?${query}`, {
        headers: { 'sec-fetch-site': 'cross-site' },
      })
    },
  ],
]

test.each(PAGES)(
  'AS-10, AS-11: %s is refused or only asks to confirm, and changes nothing',
  async (_why, status, send) => {
    const w = await world()
    const res = await send(w)
    expect(res.status).toBe(status)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.getSetCookie().join('\n')).not.toMatch(/mock_idp_session=/)
    const html = await res.text()
    if (status === 200) expect(html).toContain('Sign out?')
    expect(await observe(w)).toEqual(UNTOUCHED)
  },
)

test('AS-10: every endpoint that reads a cookie is covered above; the others take no ambient credentials', async () => {
  const idp = createMockIdp({ signingAlg: 'ES256' })
  const doc = (await (await get(idp, '/.well-known/openid-configuration')).json()) as Record<
    string,
    unknown
  >
  const endpoints = Object.keys(doc)
    .filter((key) => key.endsWith('_endpoint') || key === 'jwks_uri')
    .sort()
  // Pages with a session or CSRF cookie, covered by the cases above (plus the device page).
  const pages = ['authorization_endpoint', 'end_session_endpoint']
  // Authenticated by the client or a bearer token in the request itself, never by a cookie.
  const noCookies = [
    'device_authorization_endpoint',
    'introspection_endpoint',
    'jwks_uri',
    'revocation_endpoint',
    'token_endpoint',
    'userinfo_endpoint',
  ]
  expect(endpoints).toEqual([...pages, ...noCookies].sort())
  // A signed-in browser's cookies buy nothing at those.
  const { browser } = await loginWithCode(idp)
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  for (const key of noCookies) {
    const res = await idp.fetch(
      new Request(doc[key] as string, {
        method: key === 'jwks_uri' || key === 'userinfo_endpoint' ? 'GET' : 'POST',
        headers: { cookie, origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' },
        body:
          key === 'jwks_uri' || key === 'userinfo_endpoint'
            ? undefined
            : new URLSearchParams({ grant_type: 'client_credentials', token: 'x' }),
      }),
    )
    if (key === 'jwks_uri') expect(res.status).toBe(200)
    else expect(res.status, key).toBeGreaterThanOrEqual(400)
  }
})
