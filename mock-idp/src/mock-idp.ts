import type { JWK } from 'jose'
import type { MockIdpClock } from './clock.js'
import type { MockIdpUser } from './config.js'
import type { MockIdpFault } from './faults.js'
import type { ListenOptions, MockIdpServer } from './listen.js'
import type { LoggedRequest } from './request-log.js'
import type { TokenResponseBody } from './tokens.js'

/**
 * What `idp.issueTokens()` mints: tokens for `user` (a username) or, without one, a
 * client-credentials token, with extra claims and lifetimes if a test needs them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 * @example
 * const tokens = await idp.issueTokens({
 *   user: 'alice',
 *   clientId: 'spa',
 *   scope: 'openid profile',
 *   accessTokenClaims: { roles: ['admin'] },
 *   accessTokenTtl: 60,
 * })
 */
export interface IssueTokensOptions {
  /** Username; omit for a client-credentials token. */
  user?: string
  clientId: string
  /** Space-separated; default `openid profile email` for users, the client's scope otherwise. */
  scope?: string
  nonce?: string
  resource?: string
  /** Extra claims for the access token and the ID token (not `iss`, `sub`, `aud`, `exp`, … which mock-idp sets). */
  claims?: Record<string, unknown>
  /** Extra claims for the access token only; they win over `claims`. */
  accessTokenClaims?: Record<string, unknown>
  /** Extra claims for the ID token only; they win over `claims`. */
  idTokenClaims?: Record<string, unknown>
  /** Access-token lifetime in seconds (and `expires_in`); default the config's `accessTokenTtl`. */
  accessTokenTtl?: number
  /** ID-token lifetime in seconds; default the config's `idTokenTtl`. */
  idTokenTtl?: number
}

/**
 * A running mock OpenID Provider: one web-standard handler plus test controls.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 * @example
 * const idp = createMockIdp()
 * const res = await idp.fetch(new Request(`${idp.issuer}/.well-known/openid-configuration`))
 */
export interface MockIdp {
  /** The issuer identifier (no trailing slash). */
  readonly issuer: string
  /** The virtual clock behind every expiry. */
  readonly clock: MockIdpClock
  /** The whole server as one handler. Never answers 5xx unless a fault is injected. */
  fetch(request: Request): Promise<Response>
  /** Serves over HTTP; sets the issuer to the listening URL when none was configured. */
  listen(options?: ListenOptions): Promise<MockIdpServer>
  /** Mints tokens without a browser, exactly as the token endpoint would answer. */
  issueTokens(options: IssueTokensOptions): Promise<TokenResponseBody>
  /** Replaces the signing key; the old public key stays in the JWKS for `keyRotationGrace`. */
  rotateKeys(): Promise<void>
  /** The public JWKS as served at `/.well-known/jwks`. */
  jwks(): Promise<{ keys: JWK[] }>
  /** Adds a user; throws MockIdpConfigError if the username or sub is taken. */
  addUser(user: MockIdpUser): void
  /** Changes a user's password or claims (claims merge; `null` removes one). */
  updateUser(username: string, patch: { password?: string; claims?: Record<string, unknown> }): void
  /**
   * Ends every IdP session of `username` (browser sessions and those of `issueTokens()`), and
   * sends a back-channel logout token to each client that each session signed in to and that
   * registered a `backchannelLogoutUri`. Resolves with the number of sessions ended, once every
   * first delivery attempt has settled; failed deliveries are retried after 1, 2 and 4 s on the
   * idp clock (see `flush()`).
   */
  endSessions(username: string): Promise<number>
  /** Approves a pending device authorization as `username`; false if the code is unknown. */
  approveDevice(userCode: string, username: string): boolean
  /** Denies a pending device authorization; false if the code is unknown. */
  denyDevice(userCode: string): boolean
  /** Makes the next call(s) of an endpoint fail (the opt-in fault profile). */
  injectFault(fault: MockIdpFault): void
  clearFaults(): void
  /** What clients sent, secrets redacted, oldest first. */
  requests(): LoggedRequest[]
  clearRequests(): void
  /** Forgets every code, token, session and device code, restores the configured users, resets the clock. */
  reset(): void
  /**
   * Resolves once persisted state is loaded, the last change is saved (with `storage`), and no
   * back-channel logout delivery is in flight (retries due later are not waited for).
   */
  flush(): Promise<void>
}
