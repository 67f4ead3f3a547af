import { createHash } from 'node:crypto'
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
import { ASYMMETRIC_ALGORITHMS } from './internal/jws.js'
import { KeyStore } from './internal/key-store.js'
import { checkForwardNames, checkParams, forwardedParams } from './internal/login-params.js'
import type { LogoutClaims } from './internal/logout-token.js'
import { argumentError, optionalNumber } from './internal/options.js'
import { json, redirect, text } from './internal/responses.js'
import { deriveKeys, seal, unseal } from './internal/sealed.js'
import { cookieBackend, storeBackend, storeUnavailable } from './internal/session-backend.js'
import type { Loaded, SessionState } from './internal/session-backend.js'
import { SessionCookie } from './internal/session-cookie.js'
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
/** ID token claims about the token, not the user: left out of `sessionInfo`. */
const TOKEN_CLAIMS = ['exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 's_hash', 'jti']
/** Claims UserInfo may not override: they are the ID token's, checked at login. */
const PROTECTED_CLAIMS = new Set(['iss', 'sub', 'aud', 'azp', 'sid', 'auth_time', ...TOKEN_CLAIMS])

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

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
  const idleTtl = optionalNumber(options.sessionIdleTtl, '`sessionIdleTtl`') ?? 86_400
  const leeway = optionalNumber(options.refreshLeeway, '`refreshLeeway`') ?? 60
  const tolerance = optionalNumber(options.clockTolerance, '`clockTolerance`') ?? 30
  const defaultParams = checkParams(options.authorizationParams, '`authorizationParams`')
  const forwardNames = checkForwardNames(options.forwardAuthorizationParams)
  const logoutAlgorithms = new Set<string>(options.logoutTokenAlgorithms ?? ASYMMETRIC_ALGORITHMS)
  for (const alg of logoutAlgorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `\`logoutTokenAlgorithms\`: ${JSON.stringify(alg)} is not an asymmetric JWS algorithm.`,
      )
    }
  }
  const { store, revokedSessions } = options
  const clock = options.clock ?? Date.now
  const now = () => Math.floor(clock() / 1000)
  const baseName = (options.cookieName ?? `oidckit-${options.clientId}`).replace(
    /[^A-Za-z0-9!#$%&'*+\-.^_`|~]/g,
    '_',
  )
  // RP-12: __Host- pins the cookie to this host, Path=/ and Secure; it needs https.
  const prefix = secure ? '__Host-' : ''
  const names = { session: `${prefix}${baseName}`, transaction: `${prefix}${baseName}-tx` }
  const txKeys = deriveKeys(secrets, 'transaction')
  const sameSite = options.sameSite ?? 'Lax'
  const txCookie = (value: string, maxAge: number) =>
    serializeCookie(names.transaction, value, { secure, sameSite: 'Lax', maxAge })
  const sessionCookie = new SessionCookie({
    name: names.session,
    keys: deriveKeys(secrets, 'session'),
    secure,
    sameSite,
  })
  const backend = store
    ? storeBackend({ store, cookie: sessionCookie, secrets, idleTtl })
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

  function toSession(tokens: TokenSet<Claims>, state: SessionState): WebSession<Claims> | null {
    const claims = tokens.claims()
    if (!claims) return null
    const extra = Object.entries(state.ui ?? {}).filter(([name]) => !PROTECTED_CLAIMS.has(name))
    return Object.freeze({
      user: { ...claims, ...Object.fromEntries(extra) } as IdTokenClaims & Claims,
      accessToken: tokens.accessToken,
      idToken: tokens.idToken,
      expiresAt: tokens.expiresAt,
      scope: tokens.scope,
      tokens,
    })
  }

  /** Whether a back-channel logout ended this session after it began. */
  async function revoked(state: SessionState, sub: string | undefined): Promise<boolean> {
    if (!revokedSessions) return false
    const keys = [state.sid && `sid:${state.sid}`, sub && `sub:${sub}`].filter(Boolean) as string[]
    try {
      const times = await Promise.all(keys.map((key) => revokedSessions.revokedAt(key)))
      return times.some((at) => typeof at === 'number' && state.lat <= at)
    } catch (err) {
      throw storeUnavailable(err)
    }
  }

  interface Current {
    session: WebSession<Claims> | null
    state?: SessionState
    lines: string[]
  }

  /** The request's session, refreshed and renewed as needed; throws when the store is down. */
  async function current(request: Request): Promise<Current> {
    const cookies = parseCookies(request.headers.get('cookie'))
    const loaded: Loaded = await backend.load(cookies, now())
    const ended = async (): Promise<Current> => ({
      session: null,
      lines: loaded.present ? await backend.destroy(loaded, cookies) : [],
    })
    let state = loaded.state
    let tokens: TokenSet<Claims> | undefined
    try {
      tokens = state ? TokenSet.fromJSON<Claims>(state.tokens, { clock }) : undefined
    } catch {
      tokens = undefined
    }
    if (!state || !tokens) return ended()
    if (await revoked(state, state.sub ?? tokens.claims()?.sub)) return ended()
    let lines: string[] = []
    if (tokens.isExpired(leeway) && tokens.refreshToken) {
      let next: TokenSet<Claims> | undefined
      try {
        next = await refreshOnce(tokens)
      } catch (err) {
        if (err instanceof OAuthError && err.error === 'invalid_grant') return ended()
      }
      if (next) {
        tokens = next
        state = { ...state, tokens: next.toJSON() }
        lines = await backend.update(loaded, state, cookies, now())
      }
    }
    if (tokens.isExpired()) return { session: null, lines }
    await backend.renew(loaded, now())
    return { session: toSession(tokens, state), state, lines }
  }

  async function end({ sid, sub, iat }: LogoutClaims): Promise<void> {
    try {
      if (store) await (sid ? store.destroyBySid(sid) : store.destroyBySub(sub!))
      if (revokedSessions) {
        // Sessions that began before the provider ended its own (its iat) are over.
        const at = Math.min(iat + tolerance, now())
        await revokedSessions.add(sid ? `sid:${sid}` : `sub:${sub!}`, { at, ttl: sessionTtl })
      }
    } catch (err) {
      throw storeUnavailable(err)
    }
  }

  let keyStore: Promise<{ issuer: string; keys: KeyStore }> | undefined
  const backchannelLogout = backchannelLogoutHandler({
    setup: () =>
      (keyStore ??= client().then((c) => {
        const jwksUri = c.issuer.metadata.jwks_uri
        if (typeof jwksUri !== 'string') {
          throw new DiscoveryError('ERR_DISCOVERY_INVALID', 'The issuer publishes no jwks_uri.')
        }
        const keys = new KeyStore({
          jwksUri,
          fetch: options.fetch,
          cooldown: 60_000,
          maxAge: 300_000,
          timeout: 5000,
          now: clock,
          onRotate: () => undefined,
        })
        return { issuer: c.issuer.identifier, keys }
      })).catch((err: unknown) => {
        keyStore = undefined
        throw err
      }),
    clientId: options.clientId,
    algorithms: logoutAlgorithms,
    tolerance,
    maxAge: LOGOUT_TOKEN_MAX_AGE,
    now,
    enabled: store !== undefined || revokedSessions !== undefined,
    end,
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
      let result: Current
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
