import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { JWTPayload } from 'jose'
import { createMockIdp } from '@oidckit/mock-idp'
import { createWebAuth, memorySessionStore } from '@oidckit/node-server'
import type { WebAuth, WebAuthOptions } from '@oidckit/node-server'

export const BASE = 'http://localhost:3000'
export const SECRET = 'a-test-secret-that-is-long-enough-1234'
export const ISSUER = 'https://idp.test'
export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

export type Idp = ReturnType<typeof createMockIdp>

/** mock-idp in-process (alice signs in by herself) and a web auth for its `web-app` client. */
export function setup(
  overrides: Partial<WebAuthOptions> = {},
  idp = createMockIdp({ issuer: ISSUER, autoLogin: 'alice' }),
) {
  const web = createWebAuth({
    issuer: ISSUER,
    clientId: 'web-app',
    clientSecret: 'web-app-secret',
    baseUrl: BASE,
    secret: SECRET,
    fetch: idp.fetch,
    ...overrides,
  })
  return { idp, web }
}

/** The `Cookie` header a browser sends back after these `Set-Cookie` lines. */
export const cookieHeader = (lines: string[]) =>
  lines
    .filter((line) => !/Max-Age=0/.test(line))
    .map((line) => line.split(';')[0])
    .join('; ')

/** Runs login → provider (autoLogin) → callback, in-process, and returns the session cookies. */
export async function signIn(web: WebAuth, idp: Idp, returnTo = '/', base = BASE) {
  const login = await web.login(
    new Request(`${base}/login?returnTo=${encodeURIComponent(returnTo)}`),
  )
  const authorize = await idp.fetch(new Request(login.headers.get('location')!))
  const callbackUrl = authorize.headers.get('location')!
  const callback = await web.callback(
    new Request(callbackUrl, { headers: { cookie: cookieHeader(login.headers.getSetCookie()) } }),
  )
  return { callback, cookies: cookieHeader(callback.headers.getSetCookie()) }
}

/** A request carrying these cookies. */
export const withCookies = (cookies: string, path = '/', init: RequestInit = {}) =>
  new Request(`${BASE}${path}`, { ...init, headers: { cookie: cookies, ...init.headers } })

/**
 * A signer of logout tokens whose key the provider's JWKS serves next to its own: `fetch` is
 * mock-idp's, with the extra key added to `/.well-known/jwks`.
 */
export async function logoutTokenSigner(idp: Idp) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'logout-test', alg: 'ES256', use: 'sig' }
  const fetch = async (request: Request): Promise<Response> => {
    const response = await idp.fetch(request)
    if (new URL(request.url).pathname !== '/.well-known/jwks') return response
    const { keys } = (await response.json()) as { keys: object[] }
    return Response.json({ keys: [...keys, jwk] })
  }
  const now = () => idp.clock.now()
  return {
    fetch,
    /** Valid claims of a logout token for `web-app`, overridden by `claims` (undefined removes). */
    claims(claims: Record<string, unknown> = {}): JWTPayload {
      const base: Record<string, unknown> = {
        iss: ISSUER,
        aud: 'web-app',
        iat: now(),
        exp: now() + 120,
        jti: crypto.randomUUID(),
        events: { [LOGOUT_EVENT]: {} },
        ...claims,
      }
      return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined))
    },
    sign(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
      return new SignJWT(this.claims(claims))
        .setProtectedHeader({ alg: 'ES256', kid: 'logout-test', typ: 'logout+jwt', ...header })
        .sign(privateKey)
    },
  }
}

/** POSTs a logout token to the back-channel logout handler. */
export function postLogoutToken(web: WebAuth, token: string) {
  return web.backchannelLogout(
    new Request(`${BASE}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }),
    }),
  )
}

/**
 * mock-idp, a web auth (default: with a memory store) whose provider JWKS also serves the logout
 * token signer's key, and helpers to sign in and to tell whether a session still opens.
 */
export async function logoutWorld(
  options: Partial<WebAuthOptions> = { store: memorySessionStore() },
) {
  const idp = createMockIdp({ issuer: ISSUER, autoLogin: 'alice' })
  const signer = await logoutTokenSigner(idp)
  const { web } = setup(
    { fetch: signer.fetch, clock: () => idp.clock.now() * 1000, ...options },
    idp,
  )
  const signedIn = async () => {
    const { cookies } = await signIn(web, idp)
    const session = await web.getSession(withCookies(cookies))
    return { cookies, sid: session!.user.sid as string, sub: session!.user.sub }
  }
  const alive = async (cookies: string) => (await web.getSession(withCookies(cookies))) !== null
  return { idp, web, signer, signedIn, alive }
}
