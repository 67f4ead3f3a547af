import { createMockIdp, type MockIdp, type MockIdpConfig } from '@oidckit/mock-idp'
import { afterEach, expect, test } from 'vitest'
import { Browser, loginWithCode, post } from './helpers.js'

const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** The form posting to `action` on a page, with its hidden fields. */
function form(html: string, action: string, containing = ''): Record<string, string> {
  const forms = [...html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)]
  const found = forms.find(([, to, inner]) => to!.endsWith(action) && inner!.includes(containing))
  if (!found) throw new Error(`no form to ${action}`)
  const fields: Record<string, string> = {}
  for (const [, name, value] of found[2]!.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[name!] = value!
  return fields
}

async function dashboard(browser: Browser): Promise<string> {
  const res = await browser.request(`${browser.idp.issuer}/`)
  expect(res.status).toBe(200)
  return res.text()
}

async function startDevice(idp: MockIdp): Promise<{ user_code: string; device_code: string }> {
  const res = await post(idp, '/oauth/device/code', { client_id: 'cli', scope: 'openid' })
  return (await res.json()) as { user_code: string; device_code: string }
}

async function poll(idp: MockIdp, deviceCode: string): Promise<Record<string, unknown>> {
  const res = await post(idp, '/oauth/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: deviceCode,
    client_id: 'cli',
  })
  return (await res.json()) as Record<string, unknown>
}

/** Submits a dashboard form the way the browser would, from the dashboard's own page. */
function submit(
  browser: Browser,
  action: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return browser.request(`${browser.idp.issuer}/_dashboard/${action}`, {
    method: 'POST',
    headers: { ...FORM, origin: browser.idp.issuer, 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields),
  })
}

test('S-13: the dashboard lists endpoints, clients and users, never a secret or a password', async () => {
  const idp = createMockIdp()
  const res = await idp.fetch(new Request(`${idp.issuer}/`))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/html/)
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  expect(res.headers.get('x-frame-options')).toBe('DENY')
  const html = await res.text()
  expect(html).not.toMatch(/<script|<link|src=/)
  for (const shown of [
    'http://localhost:9400/oauth/token',
    'http://localhost:9400/.well-known/openid-configuration',
    'web-app',
    'confidential (client_secret_basic)',
    'http://localhost:5173/callback',
    'urn:ietf:params:oauth:grant-type:device_code',
    'user-alice',
    'alice@example.com',
  ]) {
    expect(html).toContain(shown)
  }
  for (const secret of ['web-app-secret', 'service-secret', 'alice-password', 'bob-password']) {
    expect(html).not.toContain(secret)
  }
  // "Try a login" only for clients with the code flow and a redirect URI.
  expect(html.match(/Try a login<\/button>/g)).toHaveLength(2)
})

test('AS-10: approving and denying a device code from the dashboard ends the device flow', async () => {
  const idp = createMockIdp({ controlApi: true })
  const browser = new Browser(idp)
  const approved = await startDevice(idp)
  const denied = await startDevice(idp)
  let html = await dashboard(browser)
  expect(html).toContain(approved.user_code)
  const fields = form(html, '/_dashboard/device', approved.user_code)
  const res = await submit(browser, 'device', { ...fields, username: 'bob', action: 'approve' })
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe('/')
  const tokens = await poll(idp, approved.device_code)
  expect(tokens.access_token).toEqual(expect.any(String))
  const payload = JSON.parse(
    Buffer.from((tokens.access_token as string).split('.')[1]!, 'base64url').toString(),
  ) as { sub: string }
  expect(payload.sub).toBe('user-bob')

  html = await dashboard(browser)
  expect(html).not.toContain(approved.user_code)
  const deny = form(html, '/_dashboard/device', denied.user_code)
  expect((await submit(browser, 'device', { ...deny, action: 'deny' })).status).toBe(303)
  expect(await poll(idp, denied.device_code)).toMatchObject({ error: 'access_denied' })
})

test('AS-10: a cross-site, tokenless or non-form POST to the dashboard is refused and changes nothing', async () => {
  const idp = createMockIdp({ controlApi: true })
  const browser = new Browser(idp)
  const device = await startDevice(idp)
  const fields = form(await dashboard(browser), '/_dashboard/device', device.user_code)
  const approve = { ...fields, username: 'alice', action: 'approve' }
  const refused = [
    await submit(browser, 'device', approve, { origin: 'https://evil.example' }),
    await submit(browser, 'device', approve, { origin: 'null' }),
    await submit(browser, 'device', approve, { 'sec-fetch-site': 'cross-site' }),
    await submit(browser, 'device', approve, { 'sec-fetch-site': 'same-site' }),
    await submit(browser, 'device', approve, { host: 'evil.example' }),
    await submit(browser, 'device', { ...approve, csrf_token: 'x'.repeat(43) }),
    await submit(browser, 'device', approve, { 'content-type': 'text/plain' }),
  ]
  expect(refused.map((res) => res.status)).toEqual([403, 403, 403, 403, 403, 403, 415])
  // Without the victim's cookie the token matches nothing either.
  const stranger = new Browser(idp)
  expect((await submit(stranger, 'device', approve)).status).toBe(403)
  // A GET changes nothing, and a foreign Host (DNS rebinding) is not even answered.
  const get = await browser.request(
    `${idp.issuer}/_dashboard/device?${new URLSearchParams(approve)}`,
  )
  expect(get.status).toBe(405)
  const rebound = await browser.request(`${idp.issuer}/`, {
    headers: { host: 'evil.example:9400' },
  })
  expect(rebound.status).toBe(403)
  expect(await poll(idp, device.device_code)).toMatchObject({ error: 'authorization_pending' })
})

test('with the control API off the dashboard offers no approve or deny, and refuses them', async () => {
  const idp = createMockIdp()
  const browser = new Browser(idp)
  const device = await startDevice(idp)
  const html = await dashboard(browser)
  expect(html).toContain(device.user_code)
  expect(html).not.toContain('Approve')
  const csrf = form(html, '/_dashboard/callback')
  const res = await submit(browser, 'device', {
    ...csrf,
    user_code: device.user_code,
    username: 'alice',
    action: 'approve',
  })
  expect(res.status).toBe(404)
  expect(await poll(idp, device.device_code)).toMatchObject({ error: 'authorization_pending' })
})

test('everything the dashboard shows is escaped', async () => {
  const evil = '<script>alert(1)</script>'
  const config: MockIdpConfig = {
    clients: [
      {
        clientId: 'spa',
        name: `<img src=x onerror=alert(1)>`,
        tokenEndpointAuthMethod: 'none',
        redirectUris: [`http://localhost:5173/cb?x="><script>`],
      },
    ],
    users: [
      {
        sub: 'user-mallory',
        username: 'mallory',
        password: 'p',
        claims: { name: evil, [evil]: evil },
      },
    ],
  }
  const idp = createMockIdp(config)
  await idp.fetch(new Request(`${idp.issuer}/oauth/authorize?state=${encodeURIComponent(evil)}`))
  const html = await (await idp.fetch(new Request(`${idp.issuer}/`))).text()
  expect(html).not.toContain('<script')
  expect(html).not.toContain('<img')
  expect(html).toContain('cb?x=&quot;&gt;&lt;script&gt;')
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
})

test('recent requests show JWTs decoded, header and payload, and never a whole token', async () => {
  const idp = createMockIdp()
  const { tokens } = await loginWithCode(idp)
  await idp.fetch(
    new Request(`${idp.issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token as string}` },
    }),
  )
  const html = await (await idp.fetch(new Request(`${idp.issuer}/`))).text()
  expect(html).toContain('at+jwt')
  expect(html).toContain('&quot;sub&quot;: &quot;user-alice&quot;')
  expect(html).toContain('&quot;nonce&quot;: &quot;nonce-1&quot;')
  expect(html).toContain('&quot;aud&quot;: &quot;http://localhost:4000&quot;')
  for (const token of [tokens.access_token, tokens.id_token] as string[]) {
    expect(html).not.toContain(token)
    expect(html).not.toContain(token.split('.')[2])
  }
  expect(html).not.toContain(tokens.refresh_token as string)
  // The log itself keeps the decoded tokens, without their signatures.
  const logged = idp.requests().find((r) => r.endpoint === 'userinfo')!
  expect(logged.headers.authorization).toBe('Bearer [redacted]')
  expect(logged.tokens?.[0]).toMatchObject({ name: 'authorization', header: { typ: 'at+jwt' } })
  expect(JSON.stringify(idp.requests())).not.toContain(
    (tokens.access_token as string).split('.')[2],
  )
})

test('"Try a login" runs the code flow with PKCE and shows the tokens of the pasted callback', async () => {
  const idp = createMockIdp()
  const browser = new Browser(idp)
  for (const clientId of ['spa', 'web-app']) {
    const fields = form(await dashboard(browser), '/_dashboard/login', `value="${clientId}"`)
    const start = await submit(browser, 'login', fields)
    expect(start.status).toBe(303)
    const authorize = new URL(start.headers.get('location')!)
    expect(authorize.pathname).toBe('/oauth/authorize')
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('prompt')).toBe('login')
    const page = await browser.request(authorize.href)
    const done = await browser.submit(await page.text(), {
      username: 'alice',
      password: 'alice-password',
    })
    const callback = done.headers.get('location')!
    expect(callback).toMatch(/^http:\/\/localhost:(5173|3000)\/callback\?code=/)
    const csrf = form(await dashboard(browser), '/_dashboard/callback')
    const result = await submit(browser, 'callback', { ...csrf, url: callback })
    expect(result.status).toBe(200)
    const html = await result.text()
    expect(html).toContain('nonce: matches')
    expect(html).toContain('&quot;sub&quot;: &quot;user-alice&quot;')
    expect(html).toContain(`&quot;aud&quot;: &quot;${clientId}&quot;`)
    expect(html).toMatch(/refresh_token: .{12}… \(43 characters\)/)
    // The state is single-use.
    const again = await submit(browser, 'callback', { ...csrf, url: callback })
    expect(again.status).toBe(400)
  }
})

test('a client that registers the dashboard callback comes back to the dashboard directly', async () => {
  const issuer = 'http://localhost:9400'
  const idp = createMockIdp({
    issuer,
    autoLogin: 'bob',
    clients: [
      {
        clientId: 'try',
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['http://localhost:5173/callback', `${issuer}/_dashboard/callback`],
      },
    ],
  })
  const browser = new Browser(idp)
  const start = await submit(browser, 'login', form(await dashboard(browser), '/_dashboard/login'))
  const authorize = await browser.request(start.headers.get('location')!)
  const back = authorize.headers.get('location')!
  expect(back).toMatch(/^http:\/\/localhost:9400\/_dashboard\/callback\?code=/)
  const html = await (await browser.request(back)).text()
  expect(html).toContain('&quot;sub&quot;: &quot;user-bob&quot;')
})

test('AS-10: over HTTP with an admin token the dashboard opens only after the token is entered', async () => {
  const idp = createMockIdp({ controlApi: true, adminToken: 'the-admin-token' })
  const server = await idp.listen({ port: 0 })
  servers.push(server)
  const cookies = new Map<string, string>()
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const res = await fetch(`${server.url}${path}`, { ...init, headers, redirect: 'manual' })
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      cookies.set(pair!.split('=')[0]!, pair!.split('=').slice(1).join('='))
    }
    return res
  }
  const locked = await (await request('/')).text()
  expect(locked).toContain('Admin token')
  expect(locked).not.toContain('user-alice')
  const device = await startDevice(idp)
  const unlock = form(locked, '/_dashboard/unlock')
  const send = (action: string, fields: Record<string, string>) =>
    request(`/_dashboard/${action}`, {
      method: 'POST',
      headers: { ...FORM, origin: server.url },
      body: new URLSearchParams(fields),
    })
  const approve = { user_code: device.user_code, username: 'alice', action: 'approve' }
  expect((await send('device', { ...unlock, ...approve })).status).toBe(401)
  expect((await send('unlock', { ...unlock, admin_token: 'wrong' })).status).toBe(401)
  const opened = await send('unlock', { ...unlock, admin_token: 'the-admin-token' })
  expect(opened.status).toBe(303)
  expect(opened.headers.get('set-cookie')).toMatch(
    /^mock_idp_admin=[\w-]{43}; .*HttpOnly; SameSite=Strict/,
  )
  expect(opened.headers.get('set-cookie')).not.toContain('the-admin-token')
  const html = await (await request('/')).text()
  expect(html).toContain('user-alice')
  const fields = form(html, '/_dashboard/device', device.user_code)
  expect((await send('device', { ...fields, ...approve })).status).toBe(303)
  expect(await poll(idp, device.device_code)).toHaveProperty('access_token')
})

test('over HTTP without an admin token the dashboard answers loopback callers', async () => {
  const idp = createMockIdp()
  const server = await idp.listen({ port: 0 })
  servers.push(server)
  const res = await fetch(`${server.url}/`)
  expect(res.status).toBe(200)
  expect(await res.text()).toContain('user-alice')
})
