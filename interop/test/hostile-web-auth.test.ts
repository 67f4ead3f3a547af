import { beforeEach, expect, test } from 'vitest'
import { createWebAuth } from '@oidckit/node-server'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { CallbackFault, HostileProvider } from '../src/hostile-provider.js'
import { ID_TOKEN_CASES, KEY_CASES, TOKEN_ENDPOINT_CASES, jwtRows } from '../src/hostile-cases.js'

// node-server's createWebAuth (server-side login) consumes ID tokens too: its callback must
// refuse every bad case with an error page, set no session, and clear the login cookie.

const BASE_URL = 'http://localhost:3000'

let idp: HostileProvider
let web: ReturnType<typeof createWebAuth>

beforeEach(async () => {
  idp = await createHostileProvider()
  web = createWebAuth({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: 'app-secret',
    baseUrl: BASE_URL,
    secret: 'a-session-secret-of-at-least-32-characters',
    fetch: idp.fetch,
  })
})

/** /login, the provider's redirect, then /callback with the login cookie: the callback answer. */
async function signIn(): Promise<Response> {
  const login = await web.login(new Request(`${BASE_URL}/login`))
  expect(login.status).toBeGreaterThanOrEqual(300)
  const cookies = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  const callback = idp.authorize(login.headers.get('location')!)
  expect(callback.startsWith(`${BASE_URL}/callback?`)).toBe(true)
  return web.callback(new Request(callback, { headers: { cookie: cookies } }))
}

/** The names of the cookies an answer sets with a value (not the ones it clears). */
function setCookies(res: Response): string[] {
  return res.headers
    .getSetCookie()
    .filter((line) => !/Max-Age=0/i.test(line))
    .map((line) => line.slice(0, line.indexOf('=')))
}

async function expectRefused(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('location')).toBeNull()
  const body = await res.text()
  expect(body).toContain(code)
  expect(body).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
  // No session; the spent login cookie is cleared.
  expect(setCookies(res)).toEqual([])
  expect(res.headers.getSetCookie().join('\n')).toContain(`${web.cookieNames.transaction}=;`)
}

test('RP-1, RP-12: the callback accepts a well-formed ID token and starts a session', async () => {
  const res = await signIn()
  expect(res.status).toBeGreaterThanOrEqual(300)
  expect(res.status).toBeLessThan(400)
  expect(setCookies(res)).toContain(web.cookieNames.session)
})

test.each(jwtRows([...ID_TOKEN_CASES, ...KEY_CASES]))(
  '%s: the web-auth callback refuses an ID token whose %s (%s) with 400 and no session',
  async (_req, _why, _fault, { fault, code }) => {
    idp.idTokenFault = fault
    await expectRefused(await signIn(), 400, code)
  },
)

test.each<[string, CallbackFault]>([
  ['C-1: a state that is not the one sent', 'wrong-state'],
  ['C-3, RP-8: an iss naming another server (RFC 9207)', 'wrong-iss'],
  ['RP-8: no iss although the provider advertises it', 'missing-iss'],
])('%s is refused by the web-auth callback before any code is redeemed', async (_why, fault) => {
  idp.callbackFault = fault
  await expectRefused(await signIn(), 400, 'ERR_AUTHORIZATION_RESPONSE_INVALID')
  expect(idp.grants).toEqual([])
})

// No timeout option here (core's 10 s default applies), so the never-ending cases are left out.
test.each(
  TOKEN_ENDPOINT_CASES.filter((c) => c.code !== 'ERR_TIMEOUT').map(
    (c) => [c.why, c.code, c] as const,
  ),
)(
  'RP-10: the web-auth callback answers %s from the token endpoint with 502 (%s) and no session',
  async (_why, _code, { fault, code }) => {
    idp.tokenFault = fault
    await expectRefused(await signIn(), 502, code)
  },
)
