import {
  Client,
  createPkce,
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  randomNonce,
  randomState,
  sameOriginPath,
  TokenSet,
} from '@oidckit/core'
import type { IdTokenClaims } from '@oidckit/core'
import { backchannelLogoutHandler } from './internal/backchannel-logout.js'
import { parseCookies, serializeCookie } from './internal/cookies.js'
import { checkParams, forwardedParams } from './internal/login-params.js'
import { json, redirect, text } from './internal/responses.js'
import { deriveKeys, seal, unseal } from './internal/sealed.js'
import { cookieBackend, storeBackend } from './internal/session-backend.js'
import type { SessionState } from './internal/session-backend.js'
import { SessionCookie } from './internal/session-cookie.js'
import { sessionReader, TOKEN_CLAIMS } from './internal/session-reader.js'
import type { Current } from './internal/session-reader.js'
import { resolveWebAuthOptions } from './internal/web-auth-config.js'
import type { LoginOptions, WebAuthOptions } from './web-auth-options.js'

/**
 * A signed-in user's session, read from the encrypted cookie or the session store.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @example
 * ```ts
 * const session: WebSession | null = await web.getSession(request)
 * console.log(session?.user.name)
 * ```
 */
export interface WebSession<Claims extends object = object> {
  /** The ID token claims of the user, with the UserInfo claims when `fetchUserinfo` is set. */
  readonly user: IdTokenClaims & Claims
  readonly accessToken: string
  readonly idToken: string | undefined
  /** Seconds since the epoch: when the access token expires. */
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
  /**
   * Starts a login: `?returnTo=/path` (same-origin relative paths only, C-2). The app may pass
   * authorization parameters for this login (`prompt`, `login_hint`, `max_age`…).
   */
  login(request: Request, options?: LoginOptions): Promise<Response>
  /** Finishes a login at the redirect URI and starts the session. */
  callback(request: Request): Promise<Response>
  /** Revokes the refresh token, ends the session and redirects to the provider's logout. */
  logout(request: Request): Promise<Response>
  /**
   * OpenID Connect Back-Channel Logout 1.0: a POST of a `logout_token` from the provider. A valid
   * token ends the sessions with its `sid` (or all of its `sub`'s): 200; otherwise 400 JSON
   * `invalid_request`; 503 when the store or the provider's keys are unreachable.
   */
  backchannelLogout(request: Request): Promise<Response>
  /**
   * For a front end on this server session (BFF): GET answers JSON `{ authenticated: true, user,
   * expiresAt }`, or `{ authenticated: false }`; never a token. 503 when the store is down.
   */
  sessionInfo(request: Request): Promise<Response>
  /**
   * The session, refreshed when its access token is about to expire. Pass the headers of the
   * response you will send: updated or cleared `Set-Cookie` lines are appended to them.
   *
   * @throws NetworkError `ERR_CONNECTION_FAILED` / `ERR_TIMEOUT` when the store is unreachable.
   */
  getSession(request: Request, responseHeaders?: Headers): Promise<WebSession<Claims> | null>
  /** The cookie names used, for documentation and tests. */
  readonly cookieNames: { readonly session: string; readonly transaction: string }
}

const TX_TTL = 600
/** Seconds a logout token is accepted after its `iat`, and its `jti` remembered. */
const LOGOUT_TOKEN_MAX_AGE = 300
function failureReason(err: unknown): string {
  if (err instanceof OAuthError) {
    return `the provider answered ${err.error}${err.errorDescription ? ` (${err.errorDescription})` : ''}`
  }
  return err instanceof Error && 'code' in err
    ? String((err as { code: unknown }).code)
    : 'an unexpected error'
}

const storeDown = (cookies: readonly string[] = []) =>
  json(
    503,
    { error: 'temporarily_unavailable', error_description: 'The session store is unavailable.' },
    cookies,
    { 'retry-after': '5' },
  )

/**
 * Server-side login for a confidential client (the BFF pattern): authorization code with PKCE,
 * state and nonce through core; the session sealed in an encrypted, chunked, `HttpOnly` cookie,
 * or kept in a {@link SessionStore} behind a random session id; tokens refreshed on the server
 * before they expire; back-channel logout and a session endpoint for a front end.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` on a short secret, an `http:` non-loopback `baseUrl`,
 *   a reserved or malformed authorization parameter, or a symmetric logout token algorithm.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 * @example
 * ```ts
 * import { createWebAuth, memorySessionStore, toNodeHandler } from '@oidckit/node-server'
 *
 * const web = createWebAuth({
 *   issuer: 'http://localhost:9400', clientId: 'web-app', clientSecret: 'web-app-secret',
 *   baseUrl: 'http://localhost:3000', secret: 'a long random secret of at least 32 characters',
 *   store: memorySessionStore(),
 * })
 * app.get('/login', toNodeHandler(web.login))
 * app.get('/callback', toNodeHandler(web.callback))
 * app.post('/logout', toNodeHandler(web.logout))
 * app.post('/backchannel-logout', toNodeHandler(web.backchannelLogout))
 * app.get('/auth/session', toNodeHandler(web.sessionInfo))
 * ```
 */
export function createWebAuth<Claims extends object = object>(
  options: WebAuthOptions,
): WebAuth<Claims> {
  const config = resolveWebAuthOptions(options)
  const { names, origin, redirectUri, postLogoutRedirectUri, scope, secure, sameSite } = config
  const { sessionTtl, tolerance, defaultParams, forwardNames, clock } = config
  const { store, revokedSessions } = options
  const now = () => Math.floor(clock() / 1000)
  const txKeys = deriveKeys(config.secrets, 'transaction')
  const txCookie = (value: string, maxAge: number) =>
    serializeCookie(names.transaction, value, { secure, sameSite: 'Lax', maxAge })
  const sessionCookie = new SessionCookie({
    name: names.session,
    keys: deriveKeys(config.secrets, 'session'),
    secure,
    sameSite,
  })
  const backend = store
    ? storeBackend({
        store,
        cookie: sessionCookie,
        secrets: config.secrets,
        idleTtl: config.idleTtl,
      })
    : cookieBackend(sessionCookie)

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
      clockTolerance: options.clockTolerance,
    }).catch((err: unknown) => {
      discovering = undefined
      throw err
    }))

  const { current } = sessionReader<Claims>({
    backend,
    client,
    clock,
    leeway: config.leeway,
    revokedSessions,
  })
  const backchannelLogout = backchannelLogoutHandler({
    client,
    fetch: options.fetch,
    clientId: options.clientId,
    algorithms: config.logoutAlgorithms,
    tolerance,
    maxAge: LOGOUT_TOKEN_MAX_AGE,
    sessionTtl,
    clock,
    store,
    revokedSessions,
  })

  const web: WebAuth<Claims> = {
    cookieNames: names,
    backchannelLogout,

    async login(request, loginOptions) {
      const url = new URL(request.url)
      const returnTo =
        sameOriginPath(loginOptions?.returnTo ?? url.searchParams.get('returnTo'), origin) ?? '/'
      const params = {
        ...defaultParams,
        ...forwardedParams(url, forwardNames),
        ...checkParams(loginOptions?.authorizationParams, '`authorizationParams`'),
      }
      const c = await client()
      const pkce = await createPkce()
      const state = randomState()
      const nonce = randomNonce()
      const authorizationUrl = await c.createAuthorizationUrl({
        ...params,
        scope: params.scope ?? scope,
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
          ...(params.max_age === undefined ? {} : { ma: Number(params.max_age) }),
        },
        txKeys,
        now() + TX_TTL,
      )
      return redirect(authorizationUrl.href, [txCookie(tx, TX_TTL)])
    },

    async callback(request) {
      const cookies = parseCookies(request.headers.get('cookie'))
      const raw = cookies.get(names.transaction)
      const clearTx = txCookie('', 0)
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
          { 'set-cookie': clearTx },
        )
      }
      let tokens: TokenSet<Claims>
      let userinfo: Record<string, unknown> | undefined
      try {
        const c = await client()
        tokens = await c.authorizationCodeGrant(new URL(request.url).searchParams, {
          state: String(tx.state),
          nonce: String(tx.nonce),
          codeVerifier: String(tx.verifier),
          maxAge: typeof tx.ma === 'number' ? tx.ma : undefined,
        })
        // RP-6: core checks that UserInfo's sub is the ID token's; a mismatch starts no session.
        if (options.fetchUserinfo) userinfo = { ...(await c.userinfo(tokens)) }
      } catch (err) {
        const status = err instanceof NetworkError || err instanceof DiscoveryError ? 502 : 400
        return text(
          status,
          `Sign-in could not be completed: ${failureReason(err)}. Start again from the login link.`,
          { 'set-cookie': clearTx },
        )
      }
      const claims = tokens.claims()
      const at = now()
      const state: SessionState = {
        tokens: tokens.toJSON(),
        sexp: at + sessionTtl,
        lat: at,
        sub: claims?.sub,
        sid: typeof claims?.sid === 'string' ? claims.sid : undefined,
        ui: userinfo,
      }
      let lines: string[]
      try {
        // RP-12: a fresh session (and id) at every login; nothing of a previous one is kept.
        lines = await backend.create(state, cookies, at)
      } catch (err) {
        if (!(err instanceof OidcKitError)) throw err
        return text(
          503,
          'Sign-in could not be completed: the session store is unavailable. Try again shortly.',
          { 'set-cookie': clearTx, 'retry-after': '5' },
        )
      }
      // C-2: the stored value is checked again; a sealed cookie only proves it came from us.
      return redirect(sameOriginPath(tx.returnTo, origin) ?? '/', [clearTx, ...lines])
    },

    async getSession(request, responseHeaders) {
      const { session, lines } = await current(request)
      for (const line of lines) responseHeaders?.append('set-cookie', line)
      return session
    },

    async sessionInfo(request) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return json(405, { error: 'invalid_request', error_description: 'Use GET.' }, [], {
          allow: 'GET, HEAD',
        })
      }
      let result: Current<Claims>
      try {
        result = await current(request)
      } catch (err) {
        if (err instanceof OidcKitError) return storeDown()
        throw err
      }
      const { session, state, lines } = result
      if (!session || !state) return json(200, { authenticated: false }, lines)
      const user = Object.fromEntries(
        Object.entries(session.user).filter(([name]) => !TOKEN_CLAIMS.includes(name)),
      )
      return json(200, { authenticated: true, user, expiresAt: backend.expiresAt(state) }, lines)
    },

    async logout(request) {
      const cookies = parseCookies(request.headers.get('cookie'))
      let tokens: TokenSet<Claims> | undefined
      try {
        const loaded = await backend.load(cookies, now())
        try {
          tokens = loaded.state
            ? TokenSet.fromJSON<Claims>(loaded.state.tokens, { clock })
            : undefined
        } catch {
          tokens = undefined
        }
        await backend.destroy(loaded, cookies)
      } catch (err) {
        if (!(err instanceof OidcKitError)) throw err
        // Fail closed: the cookie goes, and the answer says the sign-out did not finish.
        return text(
          503,
          'Sign-out could not be completed: the session store is unavailable. Try again shortly.',
          [
            ...sessionCookie.clear(cookies).map((line): [string, string] => ['set-cookie', line]),
            ['retry-after', '5'],
          ],
        )
      }
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
