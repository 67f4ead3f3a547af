import type { ClientPrivateKey, FetchLike } from '@oidckit/core'
import type { RevokedSessions } from './revoked-sessions.js'
import type { SessionStore } from './session-store.js'

/**
 * Authorization request parameters (OIDC Core §3.1.2.1, RFC 8707) sent with every login, or with
 * one. Any other parameter the provider understands may be added; those oidckit sets itself
 * (`state`, `nonce`, `redirect_uri`, PKCE…) are refused with a `TypeError`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @example
 * ```ts
 * const params: AuthorizationParams = { prompt: 'login', max_age: 300, ui_locales: 'fr' }
 * ```
 */
export interface AuthorizationParams {
  prompt?: string | undefined
  login_hint?: string | undefined
  /** Seconds; the ID token's `auth_time` is then required and checked. */
  max_age?: number | string | undefined
  acr_values?: string | undefined
  ui_locales?: string | undefined
  /** The API the access token is for (RFC 8707). */
  resource?: string | undefined
  /** Replaces the `scope` option for this login. */
  scope?: string | undefined
  [parameter: string]: string | number | undefined
}

/**
 * Per-login choices of the app, passed as the second argument of `web.login`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @example
 * ```ts
 * app.get('/login/admin', (req, res, next) =>
 *   toNodeHandler((request) => web.login(request, { authorizationParams: { acr_values: 'mfa' } }))(req, res, next),
 * )
 * ```
 */
export interface LoginOptions {
  /** Merged over the `authorizationParams` option. */
  authorizationParams?: AuthorizationParams | undefined
  /** Where to go after login, instead of the `returnTo` query parameter (same-origin only, C-2). */
  returnTo?: string | undefined
}

/**
 * Options of `createWebAuth()`.
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
  /** Seconds a session lives at most, refreshes and renewals included. Default 7 days. */
  sessionTtl?: number | undefined
  /**
   * With a `store`: seconds a session lives without a request. Each signed-in request pushes it
   * back (at most one store write a minute), up to `sessionTtl`. Default 1 day.
   */
  sessionIdleTtl?: number | undefined
  /** Seconds before the access token expires at which it is refreshed. Default 60. */
  refreshLeeway?: number | undefined
  /**
   * Keep sessions on the server; the cookie then holds only a random session id with its MAC.
   * Default: none, the whole session is sealed in the cookie.
   */
  store?: SessionStore | undefined
  /**
   * Ended sessions for back-channel logout in cookie-only mode (checked on every request).
   * Not needed with a `store`, whose entries are destroyed instead.
   */
  revokedSessions?: RevokedSessions | undefined
  /** Fetch UserInfo at login and merge its claims into `user`; its `sub` must match (RP-6). */
  fetchUserinfo?: boolean | undefined
  /** Parameters sent with every authorization request. */
  authorizationParams?: AuthorizationParams | undefined
  /**
   * Names of parameters copied from the login request's query string to the authorization
   * request (e.g. `['login_hint', 'ui_locales']`). Default none: the browser decides nothing
   * the app did not allow.
   */
  forwardAuthorizationParams?: readonly string[] | undefined
  /** Logout token algorithms; default every asymmetric JWS algorithm (never `none` or `HS*`). */
  logoutTokenAlgorithms?: readonly string[] | undefined
  /** Seconds of clock difference tolerated on token times. Default 30, as core. */
  clockTolerance?: number | undefined
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: (() => number) | undefined
}
