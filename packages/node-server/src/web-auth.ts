import { createHash } from 'node:crypto'
import {
  Client,
  createPkce,
  DiscoveryError,
  NetworkError,
  OAuthError,
  randomNonce,
  randomState,
  sameOriginPath,
  TokenSet,
} from '@oidckit/core'
import type { ClientPrivateKey, FetchLike, IdTokenClaims } from '@oidckit/core'
import { parseCookies, serializeCookie } from './internal/cookies.js'
import { argumentError, optionalNumber } from './internal/options.js'
import { deriveKeys, seal, unseal } from './internal/sealed.js'
import { SessionCookie } from './internal/session-cookie.js'

/**
 * Options of {@link createWebAuth}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @example
 * ```ts
 * const options: WebAuthOptions = {
 *   issuer: 'http://localhost:9400', clientId: 'web-app', clientSecret: 'web-app-secret',
 *   baseUrl: 'http://localhost:3000', secret: process.env.SESSION_SECRET!,
 * }
 * ```
 */
export interface WebAuthOptions {
  issuer: string
  clientId: string
  clientSecret?: string | undefined
  privateKey?: ClientPrivateKey | undefined
  /** The app's public origin (and base path); the redirect URI is `baseUrl` + `callbackPath`. */
  baseUrl: string
  /** At least 32 characters. A list rotates: the first encrypts, any decrypts. */
  secret: string | readonly string[]
  /** The cookie name base; default `oidckit-<clientId>`, so apps on one domain do not collide. */
  cookieName?: string | undefined
  /** Default `openid profile email offline_access`. */
  scope?: string | undefined
  /** Default `/callback`. */
  callbackPath?: string | undefined
  /** Where the provider sends the user after logout; default `baseUrl` + `/`. */
  postLogoutRedirectUri?: string | undefined
  /** The session cookie's SameSite; default `Lax` (see the README). The transaction cookie is always Lax. */
  sameSite?: 'Lax' | 'Strict' | undefined
  /** Seconds a session lives, refreshes included. Default 7 days. */
  sessionTtl?: number | undefined
  /** Seconds before the access token expires at which it is refreshed. Default 60. */
  refreshLeeway?: number | undefined
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: (() => number) | undefined
}

/**
 * A signed-in user's session, read from the encrypted cookie.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @example
 * ```ts
 * const session: WebSession | null = await web.getSession(request)
 * console.log(session?.user.name)
 * ```
 */
export interface WebSession<Claims extends object = object> {
  /** The ID token claims of the user. */
  readonly user: IdTokenClaims & Claims
  readonly accessToken: string
  readonly idToken: string | undefined
  /** Seconds since the epoch. */
  readonly expiresAt: number | undefined
  readonly scope: string | undefined
  readonly tokens: TokenSet<Claims>
}

/**
 * What {@link createWebAuth} returns: web-standard handlers and the session reader.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1
 * @example
 * ```ts
 * app.get('/login', toNodeHandler(web.login))
 * ```
 */
export interface WebAuth<Claims extends object = object> {
  /** Starts a login: `?returnTo=/path` (same-origin relative paths only, C-2). */
  login(request: Request): Promise<Response>
  /** Finishes a login at the redirect URI and sets the session cookie. */
  callback(request: Request): Promise<Response>
  /** Revokes the refresh token, clears the session and redirects to the provider's logout. */
  logout(request: Request): Promise<Response>
  /**
   * The session, refreshed when its access token is about to expire. Pass the headers of the
   * response you will send: updated or cleared `Set-Cookie` lines are appended to them.
   */
  getSession(request: Request, responseHeaders?: Headers): Promise<WebSession<Claims> | null>
  /** The cookie names used, for documentation and tests. */
  readonly cookieNames: { readonly session: string; readonly transaction: string }
}

const TX_TTL = 600

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

function text(status: number, body: string, headers?: HeadersInit): Response {
  const response = new Response(body, { status, headers })
  response.headers.set('content-type', 'text/plain; charset=utf-8')
  response.headers.set('cache-control', 'no-store')
  return response
}

function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({
    location,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  })
  for (const cookie of cookies) headers.append('set-cookie', cookie)
  return new Response(null, { status: 303, headers })
}

/**
 * Server-side login for a confidential client (the BFF pattern): authorization code with PKCE,
 * state and nonce through core, tokens kept in an encrypted, chunked, `HttpOnly` cookie and
 * refreshed on the server before they expire.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` on a short secret or an `http:` non-loopback `baseUrl`.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 * @example
 * ```ts
 * import { createWebAuth, toNodeHandler } from '@oidckit/node-server'
 *
 * const web = createWebAuth({
 *   issuer: 'http://localhost:9400', clientId: 'web-app', clientSecret: 'web-app-secret',
 *   baseUrl: 'http://localhost:3000', secret: 'a long random secret of at least 32 characters',
 * })
 * app.get('/login', toNodeHandler(web.login))
 * app.get('/callback', toNodeHandler(web.callback))
 * app.post('/logout', toNodeHandler(web.logout))
 * ```
 */
export function createWebAuth<Claims extends object = object>(
  options: WebAuthOptions,
): WebAuth<Claims> {
  if (typeof options !== 'object' || options === null) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      'createWebAuth() needs { issuer, clientId, baseUrl, secret }.',
    )
  }
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret
  if (
    !Array.isArray(secrets) ||
    secrets.length === 0 ||
    secrets.some((s) => typeof s !== 'string' || s.length < 32)
  ) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`secret` must be a string of at least 32 characters (or a list of them).',
    )
  }
  let base: URL
  try {
    base = new URL(options.baseUrl)
  } catch {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`baseUrl` must be an absolute URL such as https://app.example.com.',
    )
  }
  const secure = base.protocol === 'https:'
  if (!secure && !(base.protocol === 'http:' && isLoopback(base.hostname))) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`baseUrl` must use https (http is allowed on localhost only).',
    )
  }
  const origin = base.origin
  const basePath = base.pathname.replace(/\/$/, '')
  const redirectUri = `${origin}${basePath}${options.callbackPath ?? '/callback'}`
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? `${origin}${basePath}/`
  const scope = options.scope ?? 'openid profile email offline_access'
  const sessionTtl = optionalNumber(options.sessionTtl, '`sessionTtl`') ?? 7 * 86_400
  const leeway = optionalNumber(options.refreshLeeway, '`refreshLeeway`') ?? 60
  const clock = options.clock ?? Date.now
  const now = () => Math.floor(clock() / 1000)
  const baseName = (options.cookieName ?? `oidckit-${options.clientId}`).replace(
    /[^A-Za-z0-9!#$%&'*+\-.^_`|~]/g,
    '_',
  )
  // RP-12: __Host- pins the cookie to this host, Path=/ and Secure; it needs https.
  const prefix = secure ? '__Host-' : ''
  const names = { session: `${prefix}${baseName}`, transaction: `${prefix}${baseName}-tx` }
  const sessionKeys = deriveKeys(secrets, 'session')
  const txKeys = deriveKeys(secrets, 'transaction')
  const sameSite = options.sameSite ?? 'Lax'
  const cookie = (name: string, value: string, maxAge: number, site: 'Lax' | 'Strict' = sameSite) =>
    serializeCookie(name, value, { secure, sameSite: site, maxAge })
  const sessionCookie = new SessionCookie({
    name: names.session,
    keys: sessionKeys,
    secure,
    sameSite,
  })

  let discovering: Promise<Client<Claims>> | undefined
  const client = () =>
    (discovering ??= Client.discover<Claims>({
      issuer: options.issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      privateKey: options.privateKey,
      redirectUri,
      fetch: options.fetch,
      clock: options.clock,
    }).catch((err: unknown) => {
      discovering = undefined
      throw err
    }))

  async function sealSession(tokens: TokenSet<Claims>, exp: number, cookies: Map<string, string>) {
    return sessionCookie.write({ tokens: tokens.toJSON(), sexp: exp }, exp, now(), cookies)
  }

  const refreshing = new Map<string, Promise<TokenSet<Claims>>>()
  // RP-20: one refresh per refresh token in this process, so parallel requests share it.
  function refreshOnce(tokens: TokenSet<Claims>): Promise<TokenSet<Claims>> {
    const key = createHash('sha256').update(tokens.refreshToken!).digest('base64url')
    let pending = refreshing.get(key)
    if (!pending) {
      pending = client()
        .then((c) => c.refresh(tokens))
        .finally(() => setTimeout(() => refreshing.delete(key), 5_000).unref())
      refreshing.set(key, pending)
    }
    return pending
  }

  function toSession(tokens: TokenSet<Claims>): WebSession<Claims> | null {
    const user = tokens.claims()
    if (!user) return null
    return Object.freeze({
      user,
      accessToken: tokens.accessToken,
      idToken: tokens.idToken,
      expiresAt: tokens.expiresAt,
      scope: tokens.scope,
      tokens,
    })
  }

  async function load(request: Request) {
    const cookies = parseCookies(request.headers.get('cookie'))
    const value = sessionCookie.raw(cookies)
    const payload = value ? await sessionCookie.read(cookies, now()) : undefined
    let tokens: TokenSet<Claims> | undefined
    try {
      tokens = payload ? TokenSet.fromJSON<Claims>(payload.tokens, { clock }) : undefined
    } catch {
      tokens = undefined
    }
    const exp = typeof payload?.sexp === 'number' ? payload.sexp : now()
    return { cookies, tokens, exp, present: value !== undefined }
  }

  const web: WebAuth<Claims> = {
    cookieNames: names,

    async login(request) {
      const url = new URL(request.url)
      const returnTo = sameOriginPath(url.searchParams.get('returnTo'), origin) ?? '/'
      const c = await client()
      const pkce = await createPkce()
      const state = randomState()
      const nonce = randomNonce()
      const authorizationUrl = await c.createAuthorizationUrl({
        scope,
        state,
        nonce,
        codeChallenge: pkce.challenge,
        response_mode: 'query',
      })
      // RP-9: the transaction is bound to this issuer, client and redirect URI.
      const tx = await seal(
        {
          state,
          nonce,
          verifier: pkce.verifier,
          returnTo,
          iss: options.issuer,
          cid: options.clientId,
          ru: redirectUri,
        },
        txKeys,
        now() + TX_TTL,
      )
      return redirect(authorizationUrl.href, [cookie(names.transaction, tx, TX_TTL, 'Lax')])
    },

    async callback(request) {
      const cookies = parseCookies(request.headers.get('cookie'))
      const raw = cookies.get(names.transaction)
      const clearTx = cookie(names.transaction, '', 0, 'Lax')
      if (!raw) {
        return text(
          400,
          `Sign-in could not be completed: the login cookie "${names.transaction}" was not sent back with the callback.\n` +
            'Likely causes:\n' +
            '- the browser did not send it because of its SameSite setting (a proxy or browser policy rewrote it to Strict);\n' +
            `- the app was opened over http while the cookie is Secure, or on another host name than ${origin} (localhost and 127.0.0.1 are different sites);\n` +
            '- another app on this domain uses the same cookie name (set `cookieName`);\n' +
            '- this page was reached again with the Back button after the login had finished, or the login took longer than 10 minutes.\n' +
            'Start again from the login link.',
        )
      }
      const tx = await unseal(raw, txKeys, now())
      if (
        !tx ||
        tx.iss !== options.issuer ||
        tx.cid !== options.clientId ||
        tx.ru !== redirectUri
      ) {
        return text(
          400,
          'Sign-in could not be completed: the login cookie is invalid or expired. Start again from the login link.',
          {
            'set-cookie': clearTx,
          },
        )
      }
      let tokens: TokenSet<Claims>
      try {
        const c = await client()
        tokens = await c.authorizationCodeGrant(new URL(request.url).searchParams, {
          state: String(tx.state),
          nonce: String(tx.nonce),
          codeVerifier: String(tx.verifier),
        })
      } catch (err) {
        const status = err instanceof NetworkError || err instanceof DiscoveryError ? 502 : 400
        const reason =
          err instanceof OAuthError
            ? `the provider answered ${err.error}${err.errorDescription ? ` (${err.errorDescription})` : ''}`
            : err instanceof Error && 'code' in err
              ? `${String((err as { code: unknown }).code)}`
              : 'an unexpected error'
        return text(
          status,
          `Sign-in could not be completed: ${reason}. Start again from the login link.`,
          {
            'set-cookie': clearTx,
          },
        )
      }
      // RP-12: a fresh session at every login; nothing of a previous one is kept.
      const lines = await sealSession(tokens, now() + sessionTtl, cookies)
      // C-2: the stored value is checked again; a sealed cookie only proves it came from us.
      return redirect(sameOriginPath(tx.returnTo, origin) ?? '/', [clearTx, ...lines])
    },

    async getSession(request, responseHeaders) {
      const { cookies, tokens, exp, present } = await load(request)
      const append = (lines: string[]) =>
        lines.forEach((line) => responseHeaders?.append('set-cookie', line))
      if (!tokens) {
        if (present) append(sessionCookie.clear(cookies))
        return null
      }
      if (tokens.isExpired(leeway) && tokens.refreshToken) {
        try {
          const next = await refreshOnce(tokens)
          append(await sealSession(next, exp, cookies))
          return toSession(next)
        } catch (err) {
          if (err instanceof OAuthError && err.error === 'invalid_grant') {
            append(sessionCookie.clear(cookies))
            return null
          }
          if (tokens.isExpired()) return null
        }
      }
      if (tokens.isExpired()) return null
      return toSession(tokens)
    },

    async logout(request) {
      const { cookies, tokens } = await load(request)
      const lines = sessionCookie.clear(cookies)
      let location = postLogoutRedirectUri
      try {
        const c = await client()
        if (tokens?.refreshToken) {
          await c
            .revoke(tokens.refreshToken, { tokenTypeHint: 'refresh_token' })
            .catch(() => undefined)
        }
        if (tokens?.idToken && c.issuer.metadata.end_session_endpoint) {
          location = c.endSessionUrl({ idTokenHint: tokens.idToken, postLogoutRedirectUri }).href
        }
      } catch {
        // The local session is gone either way; the provider is best effort.
      }
      return redirect(location, lines)
    },
  }
  return web
}
