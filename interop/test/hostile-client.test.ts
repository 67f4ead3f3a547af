import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import { FormBrowser } from '../src/form-browser.js'

// A hostile client against mock-idp over loopback HTTP: every trick is refused the way RFC 6749
// says (status and `error`), never with a 5xx, and no answer leaks a stack trace or echoes a
// secret. These add to mock-idp/test/security.test.ts, which covers the plain cases in-process.

const SPA_REDIRECT = 'http://localhost:5173/callback'
const SPA_LOGOUT = 'http://localhost:5173/'
const SECRETS = ['web-app-secret', 'service-secret', 'alice-password', 'bob-password']

interface Server {
  idp: MockIdp
  url: string
  close(): Promise<void>
}

async function serve(config: Parameters<typeof createMockIdp>[0] = {}): Promise<Server> {
  const idp = createMockIdp(config)
  const server = await idp.listen({ port: 0 })
  return { idp, url: server.url, close: () => server.close() }
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

/** The body, after checking the answer is no 5xx and leaks no stack trace or known secret. */
async function safeText(res: Response, extraSecrets: readonly string[] = []): Promise<string> {
  const text = await res.text()
  expect(res.status, text.slice(0, 200)).toBeLessThan(500)
  expect(text).not.toMatch(/\n\s+at [\w.<>]+ \(|node_modules|\.ts:\d+|TypeError|RangeError/)
  for (const secret of [...SECRETS, ...extraSecrets]) expect(text).not.toContain(secret)
  for (const [, value] of res.headers) {
    for (const secret of [...SECRETS, ...extraSecrets]) expect(value).not.toContain(secret)
  }
  return text
}

/** An RFC 6749 §5.2 error: the status, a JSON body with `error`, and no caching. */
async function expectOAuthError(
  res: Response,
  status: number | readonly number[],
  error: string,
  extraSecrets: readonly string[] = [],
) {
  const text = await safeText(res, extraSecrets)
  expect(Array.isArray(status) ? status : [status]).toContain(res.status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = JSON.parse(text) as { error?: string; error_description?: string }
  expect(body.error).toBe(error)
  expect(res.headers.get('cache-control') ?? '', 'AS-5: Cache-Control: no-store').toContain(
    'no-store',
  )
  // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
  if (body.error_description !== undefined) {
    expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/)
  }
}

/**
 * An error page: no redirect at all (RFC 6749 §4.1.2.1, S-2). The page shows the value it
 * received as escaped text, so a hostile URI may be read on it, but never as markup or a link.
 */
async function expectErrorPage(res: Response, status = 400) {
  const text = await safeText(res)
  expect(res.status).toBe(status)
  expect(res.headers.get('location')).toBeNull()
  expect(text).not.toMatch(/<script|(?:href|src|action)\s*=\s*["']?\s*(?:javascript|data):/i)
}

function authorizeQuery(extra: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    redirect_uri: SPA_REDIRECT,
    scope: 'openid',
    state: 'the-state',
    nonce: 'the-nonce',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  })
}

function postForm(base: string, path: string, form: Record<string, string>, headers = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
    redirect: 'manual',
  })
}

/** A code for `spa` through autoLogin, and the verifier it needs. */
async function spaCode(base: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce()
  const res = await fetch(
    `${base}/oauth/authorize?${authorizeQuery({ code_challenge: challenge })}`,
    {
      redirect: 'manual',
    },
  )
  expect(res.status).toBe(302)
  return { code: new URL(res.headers.get('location')!).searchParams.get('code')!, verifier }
}

function redeem(base: string, code: string, verifier: string) {
  return postForm(base, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'spa',
    redirect_uri: SPA_REDIRECT,
    code,
    code_verifier: verifier,
  })
}

function userinfoStatus(base: string, accessToken: string): Promise<number> {
  return fetch(`${base}/oauth/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
  }).then(async (res) => {
    await safeText(res)
    return res.status
  })
}

// One server for the cases that change no state; the stateful ones start their own.
let shared: Server
beforeAll(async () => {
  shared = await serve({
    autoLogin: 'alice',
    clients: [
      {
        clientId: 'spa',
        redirectUris: [SPA_REDIRECT],
        postLogoutRedirectUris: [SPA_LOGOUT],
        tokenEndpointAuthMethod: 'none',
        grantTypes: ['authorization_code', 'refresh_token'],
      },
      {
        clientId: 'web-app',
        clientSecret: 'web-app-secret',
        redirectUris: ['http://localhost:3000/callback'],
        postLogoutRedirectUris: ['http://localhost:3000/'],
        grantTypes: ['authorization_code', 'refresh_token'],
      },
      {
        clientId: 'service',
        clientSecret: 'service-secret',
        grantTypes: ['client_credentials'],
        scope: 'api:read',
      },
      {
        clientId: 'native',
        redirectUris: ['http://127.0.0.1:8400/cb'],
        tokenEndpointAuthMethod: 'none',
        applicationType: 'native',
        grantTypes: ['authorization_code'],
      },
    ],
  })
})
afterAll(() => shared.close())

describe('redirect_uri tricks (S-1, S-2, AS-1)', () => {
  const TRICKS: [string, string][] = [
    ['a prefix of the registered URI', 'http://localhost:5173/call'],
    ['the registered URI with a path suffix', 'http://localhost:5173/callback/evil'],
    ['dot segments out of the registered path', 'http://localhost:5173/callback/../evil'],
    ['the registered host as a prefix of another host', 'http://localhost:5173.evil.test/callback'],
    ['the registered authority as userinfo', 'http://localhost:5173@evil.test/callback'],
    ['a case change in the path', 'http://localhost:5173/Callback'],
    ['a case change in scheme and host', 'HTTP://LOCALHOST:5173/callback'],
    ['a percent-encoded path character', 'http://localhost:5173/%63allback'],
    ['the whole URI percent-encoded', encodeURIComponent(SPA_REDIRECT)],
    ['an extra query', `${SPA_REDIRECT}?next=https://evil.test`],
    ['a fragment', `${SPA_REDIRECT}#evil`],
    ['another port', 'http://localhost:5174/callback'],
    ['https instead of the registered http', 'https://localhost:5173/callback'],
    ['trailing whitespace', `${SPA_REDIRECT} `],
    ['a javascript: URI', `javascript:alert(document.domain)//${SPA_REDIRECT}`],
    ['a data: URI', 'data:text/html,<script>alert(1)</script>'],
  ]

  test.each(TRICKS)(
    'S-1: a redirect_uri that is %s gets an error page, never a redirect',
    async (_why, redirectUri) => {
      const res = await fetch(
        `${shared.url}/oauth/authorize?${authorizeQuery({ redirect_uri: redirectUri })}`,
        { redirect: 'manual' },
      )
      await expectErrorPage(res)
    },
  )

  test('S-1: the same tricks by POST to the authorization endpoint get an error page too', async () => {
    for (const [, redirectUri] of TRICKS) {
      const res = await postForm(
        shared.url,
        '/oauth/authorize',
        Object.fromEntries(authorizeQuery({ redirect_uri: redirectUri })),
      )
      await expectErrorPage(res)
    }
  })

  test('AS-5, S-2: a repeated redirect_uri (registered, then evil) is never redirected to', async () => {
    const query = authorizeQuery()
    query.append('redirect_uri', 'https://evil.test/callback')
    const res = await fetch(`${shared.url}/oauth/authorize?${query}`, { redirect: 'manual' })
    const text = await safeText(res)
    expect(res.status).toBe(400)
    expect(res.headers.get('location') ?? '').not.toContain('evil.test')
    expect(text).not.toContain('<script')
  })

  test('S-1: a native client may vary the loopback port only (RFC 8252 §7.3)', async () => {
    const ok = await fetch(
      `${shared.url}/oauth/authorize?${authorizeQuery({ client_id: 'native', redirect_uri: 'http://127.0.0.1:51234/cb' })}`,
      { redirect: 'manual' },
    )
    await safeText(ok)
    expect(ok.status).toBe(302)
    expect(ok.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:51234\/cb\?code=/)
    for (const redirectUri of [
      'http://127.0.0.1:51234/cb/evil',
      'http://127.0.0.1:51234/cb?x=1',
      'http://127.0.0.1:51234/x/../cb',
      'http://localhost:51234/cb',
      'http://127.0.0.2:51234/cb',
      'https://127.0.0.1:51234/cb',
    ]) {
      const res = await fetch(
        `${shared.url}/oauth/authorize?${authorizeQuery({ client_id: 'native', redirect_uri: redirectUri })}`,
        { redirect: 'manual' },
      )
      await expectErrorPage(res)
    }
  })
})

describe('PKCE downgrade (S-4, AS-3, C-4)', () => {
  async function errorRedirect(extra: Record<string, string>, drop: string[] = []) {
    const query = authorizeQuery(extra)
    for (const name of drop) query.delete(name)
    const res = await fetch(`${shared.url}/oauth/authorize?${query}`, { redirect: 'manual' })
    await safeText(res)
    expect(res.status).toBe(302)
    const location = new URL(res.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(SPA_REDIRECT)
    expect(location.searchParams.get('iss')).toBe(shared.url)
    expect(location.searchParams.get('state')).toBe('the-state')
    expect(location.searchParams.get('code')).toBeNull()
    return location.searchParams.get('error')
  }

  test('AS-3: a public client without code_challenge gets invalid_request, and no code', async () => {
    expect(await errorRedirect({}, ['code_challenge', 'code_challenge_method'])).toBe(
      'invalid_request',
    )
  })

  test('AS-3: code_challenge_method=plain gets invalid_request, and no code', async () => {
    const { verifier } = pkce()
    expect(await errorRedirect({ code_challenge: verifier, code_challenge_method: 'plain' })).toBe(
      'invalid_request',
    )
  })

  test('AS-3: the method is case-sensitive: s256 gets invalid_request', async () => {
    expect(await errorRedirect({ code_challenge_method: 's256' })).toBe('invalid_request')
  })

  test('AS-3: a malformed code_challenge (too short, or outside the unreserved set) gets invalid_request', async () => {
    expect(await errorRedirect({ code_challenge: 'a'.repeat(42) })).toBe('invalid_request')
    expect(await errorRedirect({ code_challenge: `${'a'.repeat(42)}+` })).toBe('invalid_request')
    expect(await errorRedirect({ code_challenge: 'a'.repeat(129) })).toBe('invalid_request')
  })

  test('AS-3: redeeming with the challenge itself as the verifier is invalid_grant', async () => {
    const { challenge } = pkce()
    const res = await fetch(
      `${shared.url}/oauth/authorize?${authorizeQuery({ code_challenge: challenge })}`,
      { redirect: 'manual' },
    )
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!
    await expectOAuthError(await redeem(shared.url, code, challenge), 400, 'invalid_grant')
  })
})

describe('code replay and refresh token reuse (S-6, S-11, AS-2, AS-7)', () => {
  test('S-11: a replayed code is invalid_grant and revokes both the access and the refresh token it issued', async () => {
    const { code, verifier } = await spaCode(shared.url)
    const first = (await (await redeem(shared.url, code, verifier)).json()) as Record<
      string,
      string
    >
    expect(await userinfoStatus(shared.url, first.access_token!)).toBe(200)
    await expectOAuthError(await redeem(shared.url, code, verifier), 400, 'invalid_grant')
    expect(await userinfoStatus(shared.url, first.access_token!)).toBe(401)
    const refresh = await postForm(shared.url, '/oauth/token', {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: first.refresh_token!,
    })
    await expectOAuthError(refresh, 400, 'invalid_grant', [first.refresh_token!])
  })

  test('S-6: reusing a rotated refresh token revokes the family, the newest access token included', async () => {
    const { code, verifier } = await spaCode(shared.url)
    const first = (await (await redeem(shared.url, code, verifier)).json()) as Record<
      string,
      string
    >
    const refresh = (rt: string) =>
      postForm(shared.url, '/oauth/token', {
        grant_type: 'refresh_token',
        client_id: 'spa',
        refresh_token: rt,
      })
    const second = (await (await refresh(first.refresh_token!)).json()) as Record<string, string>
    expect(await userinfoStatus(shared.url, second.access_token!)).toBe(200)
    await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant', [
      first.refresh_token!,
    ])
    expect(await userinfoStatus(shared.url, second.access_token!)).toBe(401)
    await expectOAuthError(await refresh(second.refresh_token!), 400, 'invalid_grant')
  })

  test('AS-2: a code presented by a public client that pretends to be another one is invalid_grant', async () => {
    const { code, verifier } = await spaCode(shared.url)
    const res = await postForm(shared.url, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'native',
      redirect_uri: SPA_REDIRECT,
      code,
      code_verifier: verifier,
    })
    await expectOAuthError(res, 400, 'invalid_grant')
  })
})

describe('CSRF on the login and device forms (AS-10)', () => {
  let server: Server
  beforeAll(async () => {
    server = await serve()
  })
  afterAll(() => server.close())

  async function loginPage(browser: FormBrowser) {
    const page = await browser.request(`/oauth/authorize?${authorizeQuery()}`)
    expect(page.status).toBe(200)
    return FormBrowser.form(await page.text())
  }

  test('AS-10: a login POST without csrf_token is refused with 403 and no code', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginPage(browser)
    fields.delete('csrf_token')
    fields.set('username', 'alice')
    fields.set('password', 'alice-password')
    const res = await browser.post(action, fields)
    await expectErrorPage(res, 403)
  })

  test('AS-10: a login POST with a wrong csrf_token is refused with 403 and no code', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginPage(browser)
    fields.set('csrf_token', 'A'.repeat(43))
    fields.set('username', 'alice')
    fields.set('password', 'alice-password')
    await expectErrorPage(await browser.post(action, fields), 403)
  })

  test('AS-10: a cross-site login POST (the token, but no CSRF cookie) is refused with 403', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginPage(browser)
    fields.set('username', 'alice')
    fields.set('password', 'alice-password')
    const attacker = new FormBrowser(server.url)
    await expectErrorPage(await attacker.post(action, fields), 403)
    // The legitimate browser can still sign in with the same transaction.
    const res = await browser.post(action, fields)
    await safeText(res)
    expect(res.status).toBe(303)
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy()
  })

  test('AS-10: a wrong password re-renders the form without echoing the password', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginPage(browser)
    fields.set('username', 'alice')
    fields.set('password', 'hunter2-guess')
    const res = await browser.post(action, fields)
    const text = await safeText(res, ['hunter2-guess'])
    expect(res.status).toBe(401)
    expect(res.headers.get('location')).toBeNull()
    expect(text).toContain('csrf_token')
  })

  async function deviceCode(): Promise<{ user_code: string; device_code: string }> {
    const res = await postForm(server.url, '/oauth/device/code', {
      client_id: 'cli',
      scope: 'openid',
    })
    return (await res.json()) as { user_code: string; device_code: string }
  }

  test('AS-10: the device approval POST without a valid csrf_token approves nothing', async () => {
    const device = await deviceCode()
    const browser = new FormBrowser(server.url)
    // Sign in on the device page first, with the form's own token.
    const page = await browser.request(`/device?user_code=${device.user_code}`)
    const login = FormBrowser.form(await page.text())
    login.fields.set('username', 'bob')
    login.fields.set('password', 'bob-password')
    const signedIn = await browser.post(login.action, login.fields)
    expect(signedIn.status).toBe(303)
    const confirm = FormBrowser.form(
      await (await browser.request(signedIn.headers.get('location')!)).text(),
    )
    for (const token of [undefined, 'B'.repeat(43)]) {
      const forged = new URLSearchParams(confirm.fields)
      if (token === undefined) forged.delete('csrf_token')
      else forged.set('csrf_token', token)
      forged.set('action', 'approve')
      await expectErrorPage(await browser.post(confirm.action, forged), 403)
    }
    const poll = await postForm(server.url, '/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: 'cli',
      device_code: device.device_code,
    })
    await expectOAuthError(poll, 400, 'authorization_pending')
  })
})

describe('device code brute force (AS-12)', () => {
  test('AS-12: wrong user codes are rate-limited even when every guess comes from a fresh browser', async () => {
    const server = await serve()
    try {
      const device = (await (
        await postForm(server.url, '/oauth/device/code', { client_id: 'cli' })
      ).json()) as { user_code: string }
      const statuses: number[] = []
      for (let i = 0; i < 80; i++) {
        // A new browser each time: a fresh CSRF cookie, so no per-browser counter applies.
        const browser = new FormBrowser(server.url)
        const page = FormBrowser.form(await (await browser.request('/device')).text())
        page.fields.set('user_code', `BCDF-${'GHJKLMNP'.slice(i % 4, (i % 4) + 4)}`)
        page.fields.set('action', 'code')
        const res = await browser.post(page.action, page.fields)
        await safeText(res, [device.user_code])
        statuses.push(res.status)
      }
      expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400])
      expect(statuses.at(-1)).toBe(429)
      // Nor do forged CSRF cookies on GET reset the count.
      const forged = await fetch(`${server.url}/device?user_code=BCDF-GHJK`, {
        headers: { cookie: `mock_idp_csrf=${randomBytes(32).toString('base64url')}` },
      })
      await safeText(forged)
      expect(forged.status).toBe(429)
    } finally {
      await server.close()
    }
  })
})

describe('open redirect via post_logout_redirect_uri (AS-11, C-2)', () => {
  let spaIdToken: string
  let webIdToken: string
  beforeAll(async () => {
    spaIdToken = (await shared.idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid' }))
      .id_token!
    webIdToken = (
      await shared.idp.issueTokens({ user: 'alice', clientId: 'web-app', scope: 'openid' })
    ).id_token!
  })

  const logout = (params: Record<string, string>) =>
    fetch(`${shared.url}/oauth/logout?${new URLSearchParams(params)}`, { redirect: 'manual' })

  test('AS-11: a registered post_logout_redirect_uri with a valid id_token_hint redirects (control)', async () => {
    const res = await logout({ id_token_hint: spaIdToken, post_logout_redirect_uri: SPA_LOGOUT })
    await safeText(res)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(SPA_LOGOUT)
  })

  test.each([
    ['with a path suffix', `${SPA_LOGOUT}evil`],
    ['with an extra query', `${SPA_LOGOUT}?next=https://evil.test`],
    ['under another host', 'http://localhost:5173.evil.test/'],
    ['with userinfo', 'http://localhost:5173@evil.test/'],
    ['case-changed', 'HTTP://LOCALHOST:5173/'],
    ['percent-encoded', encodeURIComponent(SPA_LOGOUT)],
    ['protocol-relative', '//evil.test/'],
    ['a javascript: URI', 'javascript:alert(1)//http://localhost:5173/'],
  ])(
    'AS-11: a post_logout_redirect_uri %s is refused with an error page, never redirected to',
    async (_why, target) => {
      await expectErrorPage(
        await logout({ id_token_hint: spaIdToken, post_logout_redirect_uri: target }),
      )
    },
  )

  test('AS-11: another client’s registered URI with this client’s id_token_hint is refused', async () => {
    await expectErrorPage(
      await logout({ id_token_hint: webIdToken, post_logout_redirect_uri: SPA_LOGOUT }),
    )
    await expectErrorPage(
      await logout({
        id_token_hint: spaIdToken,
        client_id: 'web-app',
        post_logout_redirect_uri: 'http://localhost:3000/',
      }),
    )
  })

  test('AS-11: a forged id_token_hint (alg none, or re-signed payload) does not unlock the redirect', async () => {
    const [, payload] = spaIdToken.split('.')
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`
    const tampered = `${spaIdToken.slice(0, -4)}AAAA`
    for (const hint of [none, tampered, 'not-a-jwt']) {
      await expectErrorPage(
        await logout({ id_token_hint: hint, post_logout_redirect_uri: SPA_LOGOUT }),
      )
    }
  })
})

describe('oversized and malformed parameters (AS-5, AS-17)', () => {
  test('AS-17: malformed percent-encoding, NUL bytes and invalid UTF-8 at the authorization endpoint get an error page', async () => {
    for (const query of [
      'client_id=%zz&response_type=code',
      'client_id=spa%00&response_type=code',
      'client_id=%ff%fe&response_type=code',
      `client_id=spa&redirect_uri=${encodeURIComponent(SPA_REDIRECT)}&response_type=code&state=%E0%A4%A`,
    ]) {
      const res = await fetch(`${shared.url}/oauth/authorize?${query}`, { redirect: 'manual' })
      const text = await safeText(res)
      expect(res.status, query).toBeGreaterThanOrEqual(300)
      expect(res.headers.get('location') ?? '').not.toMatch(/code=/)
      expect(text).not.toContain('<script')
    }
  })

  test('AS-17: a 60 KB parameter under the body cap is an ordinary invalid_grant', async () => {
    const res = await postForm(shared.url, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'spa',
      redirect_uri: SPA_REDIRECT,
      code: 'x'.repeat(60_000),
      code_verifier: pkce().verifier,
    })
    await expectOAuthError(res, 400, 'invalid_grant')
  })

  test('AS-17: a token request body over 64 KiB is 413 without a stack trace', async () => {
    const res = await postForm(shared.url, '/oauth/token', {
      grant_type: 'client_credentials',
      scope: 'x'.repeat(70_000),
    })
    await safeText(res)
    expect(res.status).toBe(413)
  })

  test('AS-17: an authorization URL over 8 KiB is 414', async () => {
    const res = await fetch(
      `${shared.url}/oauth/authorize?${authorizeQuery({ state: 's'.repeat(9000) })}`,
      { redirect: 'manual' },
    )
    await safeText(res)
    expect(res.status).toBe(414)
    expect(res.headers.get('location')).toBeNull()
  })

  test('AS-17: a request header over the server limit is refused with 431, not a 5xx', async () => {
    const res = await fetch(`${shared.url}/.well-known/openid-configuration`, {
      headers: { cookie: `x=${'y'.repeat(20_000)}` },
    })
    await safeText(res)
    expect([400, 431]).toContain(res.status)
  })

  test.each([
    ['a JSON array', 'application/json', '["grant_type","client_credentials"]'],
    ['a nested JSON object', 'application/json', '{"grant_type":{"$ne":null},"client_id":"spa"}'],
    ['JSON that does not parse', 'application/json', '{"grant_type":"client_credentials",'],
    ['32 000 nested JSON arrays', 'application/json', `${'['.repeat(32_000)}${']'.repeat(32_000)}`],
    ['a form body declared JSON', 'application/json', 'grant_type=client_credentials'],
  ])('AS-17: a token request body with %s is invalid_request', async (_why, type, body) => {
    const res = await fetch(`${shared.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: basic('service', 'service-secret') },
      body,
    })
    await expectOAuthError(res, 400, 'invalid_request')
  })

  test('AS-17: a grant_type with invalid percent-encoding is unsupported_grant_type, not a 5xx', async () => {
    const res = await fetch(`${shared.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic('service', 'service-secret'),
      },
      body: 'grant_type=%zz%00',
    })
    await expectOAuthError(res, 400, 'unsupported_grant_type')
  })

  test('AS-5: a repeated grant_type or client_id in a token request is invalid_request', async () => {
    for (const body of [
      'grant_type=client_credentials&grant_type=authorization_code',
      'grant_type=client_credentials&client_id=service&client_id=spa&client_secret=service-secret',
    ]) {
      const res = await fetch(`${shared.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
      await expectOAuthError(
        res,
        [400, 401],
        res.status === 401 ? 'invalid_client' : 'invalid_request',
      )
    }
  })

  test.each([
    ['no colon', `Basic ${Buffer.from('service').toString('base64')}`],
    ['not base64', 'Basic !!!not-base64!!!'],
    ['an empty credential', 'Basic '],
    [
      'a bad percent-encoding in the id',
      `Basic ${Buffer.from('%zz:service-secret').toString('base64')}`,
    ],
  ])(
    'AS-6: a malformed Basic header (%s) is invalid_client or invalid_request, not a 5xx',
    async (_why, header) => {
      const res = await postForm(
        shared.url,
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: header },
      )
      const text = await safeText(res)
      expect([400, 401]).toContain(res.status)
      expect(['invalid_client', 'invalid_request']).toContain(
        (JSON.parse(text) as { error: string }).error,
      )
    },
  )

  test('AS-6: a wrong client secret is 401 invalid_client and is never echoed', async () => {
    const guess = 'guessed-secret-1234'
    const res = await postForm(
      shared.url,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('service', guess) },
    )
    await expectOAuthError(res, 401, 'invalid_client', [guess])
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
  })
})

describe('wrong content types and methods (AS-5)', () => {
  test.each([
    ['text/plain', 'grant_type=client_credentials'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--',
    ],
    ['application/xml', '<grant_type>client_credentials</grant_type>'],
    ['', 'grant_type=client_credentials'],
  ])('AS-5: a token request with content type "%s" is invalid_request', async (type, body) => {
    const headers: Record<string, string> = { authorization: basic('service', 'service-secret') }
    const init: RequestInit = { method: 'POST', headers, body: new TextEncoder().encode(body) }
    if (type) headers['content-type'] = type
    await expectOAuthError(await fetch(`${shared.url}/oauth/token`, init), 400, 'invalid_request')
  })

  test('AS-5: form-urlencoded with a charset parameter is accepted (control)', async () => {
    const res = await fetch(`${shared.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
        authorization: basic('service', 'service-secret'),
      },
      body: 'grant_type=client_credentials',
    })
    const text = await safeText(res)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('no-store')
    expect(JSON.parse(text)).toHaveProperty('access_token')
  })

  test('AS-5: GET on the token endpoint is refused (405) with an RFC 6749 error', async () => {
    const res = await fetch(`${shared.url}/oauth/token?grant_type=client_credentials`, {
      headers: { authorization: basic('service', 'service-secret') },
    })
    await expectOAuthError(res, 405, 'invalid_request')
  })

  test.each(['/oauth/revoke', '/oauth/introspect', '/oauth/device/code'])(
    'AS-5: %s refuses a text/plain body with invalid_request',
    async (path) => {
      const res = await fetch(`${shared.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          authorization: basic('web-app', 'web-app-secret'),
        },
        body: 'token=abc&client_id=cli',
      })
      await expectOAuthError(res, 400, 'invalid_request')
    },
  )
})

describe('sessions, pages and single use (AS-9, AS-10, AS-12, AS-13, S-3)', () => {
  let server: Server
  beforeAll(async () => {
    server = await serve()
  })
  afterAll(() => server.close())

  async function loginForm(browser: FormBrowser, extra: Record<string, string> = {}) {
    const page = await browser.request(`/oauth/authorize?${authorizeQuery(extra)}`)
    const html = await safeText(page)
    expect(page.status).toBe(200)
    return { html, ...FormBrowser.form(html) }
  }

  test('AS-10: a session id planted before login is replaced at login (no session fixation)', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginForm(browser)
    const planted = 'p'.repeat(43)
    browser.cookies.set('mock_idp_session', planted)
    fields.set('username', 'alice')
    fields.set('password', 'alice-password')
    const res = await browser.post(action, fields)
    await safeText(res)
    expect(res.status).toBe(303)
    expect(browser.cookies.get('mock_idp_session')).toMatch(/^[\w-]{43}$/)
    expect(browser.cookies.get('mock_idp_session')).not.toBe(planted)
  })

  test('AS-10: replaying a successful login POST issues no second code', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginForm(browser)
    fields.set('username', 'alice')
    fields.set('password', 'alice-password')
    expect((await browser.post(action, fields)).status).toBe(303)
    const replay = await browser.post(action, fields)
    await expectErrorPage(replay, 400)
  })

  test('AS-10: a login POST naming an unknown transaction gets an error page, no code', async () => {
    const browser = new FormBrowser(server.url)
    const { action, fields } = await loginForm(browser)
    fields.set('tx', 'x'.repeat(43))
    fields.set('username', 'alice')
    fields.set('password', 'alice-password')
    await expectErrorPage(await browser.post(action, fields), 400)
  })

  test('AS-10: five wrong passwords end the login transaction (429), so the sixth guess is refused too', async () => {
    const browser = new FormBrowser(server.url)
    let { html } = await loginForm(browser)
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const { action, fields } = FormBrowser.form(html)
      fields.set('username', 'alice')
      fields.set('password', `guess-${i}`)
      const res = await browser.post(action || '/oauth/authorize', fields)
      statuses.push(res.status)
      expect(res.headers.get('location')).toBeNull()
      html = await safeText(res, [`guess-${i}`])
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401])
    expect(statuses[4]).toBe(429)
    expect(statuses[5]).toBeGreaterThanOrEqual(400)
  })

  test('AS-17: markup in login_hint and user_code is escaped on the pages', async () => {
    const payload = '"><script>alert(1)</script>'
    const login = await fetch(
      `${server.url}/oauth/authorize?${authorizeQuery({ login_hint: payload })}`,
    )
    expect(await safeText(login)).not.toContain('<script>alert')
    const device = await fetch(`${server.url}/device?user_code=${encodeURIComponent(payload)}`)
    expect(await safeText(device)).not.toContain('<script>alert')
  })

  test('AS-4, AS-17: CR/LF in state stays encoded in the error redirect and sets no header', async () => {
    const res = await fetch(
      `${server.url}/oauth/authorize?${authorizeQuery({ state: 'a\r\nSet-Cookie: evil=1', code_challenge_method: 'plain' })}`,
      { redirect: 'manual' },
    )
    await safeText(res)
    expect(res.status).toBe(302)
    expect(res.headers.getSetCookie()).toEqual([])
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('state')).toBe('a\r\nSet-Cookie: evil=1')
    expect(location.searchParams.get('error')).toBe('invalid_request')
  })

  test('S-2: prompt=none with an unregistered redirect_uri gets an error page, not login_required at it', async () => {
    const res = await fetch(
      `${server.url}/oauth/authorize?${authorizeQuery({ prompt: 'none', redirect_uri: 'https://evil.test/' })}`,
      { redirect: 'manual' },
    )
    await expectErrorPage(res)
  })

  test('S-5, C-7: response_type=code token is refused with unsupported_response_type', async () => {
    const res = await fetch(
      `${server.url}/oauth/authorize?${authorizeQuery({ response_type: 'code token' })}`,
      { redirect: 'manual' },
    )
    await safeText(res)
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('error')).toBe('unsupported_response_type')
    expect(location.searchParams.get('access_token')).toBeNull()
    expect(location.hash).toBe('')
  })

  test('AS-12: a GET cannot approve a device, its code is single-use, and bound to its client', async () => {
    const device = (await (
      await postForm(server.url, '/oauth/device/code', { client_id: 'cli', scope: 'openid' })
    ).json()) as { user_code: string; device_code: string }
    const poll = (clientId = 'cli') =>
      postForm(server.url, '/oauth/token', {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: clientId,
        device_code: device.device_code,
      })
    const browser = new FormBrowser(server.url)
    const login = FormBrowser.form(
      await (await browser.request(`/device?user_code=${device.user_code}`)).text(),
    )
    login.fields.set('username', 'bob')
    login.fields.set('password', 'bob-password')
    expect((await browser.post(login.action, login.fields)).status).toBe(303)
    const page = await browser.request(`/device?user_code=${device.user_code}&action=approve`)
    const confirm = FormBrowser.form(await safeText(page))
    server.idp.clock.advance(6)
    await expectOAuthError(await poll(), 400, 'authorization_pending')
    confirm.fields.set('action', 'approve')
    expect((await browser.post(confirm.action, confirm.fields)).status).toBe(200)
    server.idp.clock.advance(6)
    await expectOAuthError(await poll('spa'), [400, 401], 'unauthorized_client')
    server.idp.clock.advance(6)
    const tokens = await poll()
    expect(tokens.status).toBe(200)
    server.idp.clock.advance(6)
    await expectOAuthError(await poll(), 400, 'invalid_grant')
  })

  test('AS-13: another client revoking a refresh token gets 200 and changes nothing', async () => {
    const tokens = await server.idp.issueTokens({
      user: 'alice',
      clientId: 'web-app',
      scope: 'openid offline_access',
    })
    const asSpa = await postForm(server.url, '/oauth/revoke', {
      token: tokens.refresh_token!,
      client_id: 'spa',
    })
    await safeText(asSpa, [tokens.refresh_token!])
    expect(asSpa.status).toBe(200)
    const unauthenticated = await postForm(server.url, '/oauth/revoke', {
      token: tokens.refresh_token!,
      client_id: 'web-app',
    })
    await expectOAuthError(unauthenticated, 401, 'invalid_client', [tokens.refresh_token!])
    const refresh = await postForm(
      server.url,
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      { authorization: basic('web-app', 'web-app-secret') },
    )
    await safeText(refresh)
    expect(refresh.status).toBe(200)
  })

  test('AS-14: a public client may not introspect (no token scanning)', async () => {
    const tokens = await server.idp.issueTokens({ user: 'alice', clientId: 'spa' })
    const res = await postForm(server.url, '/oauth/introspect', {
      token: tokens.access_token,
      client_id: 'spa',
    })
    await expectOAuthError(res, 401, 'invalid_client', [tokens.access_token])
  })
})

describe('forwarded headers (S-12)', () => {
  test('S-12: X-Forwarded-Host and X-Forwarded-Proto never change the issuer or the iss of a redirect', async () => {
    const forged = {
      'x-forwarded-host': 'evil.test',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.test;proto=https',
    }
    const discovery = await fetch(`${shared.url}/.well-known/openid-configuration`, {
      headers: forged,
    })
    const metadata = JSON.parse(await safeText(discovery)) as Record<string, unknown>
    expect(metadata.issuer).toBe(shared.url)
    expect(JSON.stringify(metadata)).not.toContain('evil.test')
    const res = await fetch(`${shared.url}/oauth/authorize?${authorizeQuery()}`, {
      headers: forged,
      redirect: 'manual',
    })
    await safeText(res)
    expect(new URL(res.headers.get('location')!).searchParams.get('iss')).toBe(shared.url)
  })
})
