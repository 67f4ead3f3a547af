import type { IdTokenClaims } from '@oidckit/core'

/**
 * The session as the UI sees it: a snapshot replaced on every change, so it can be passed to
 * React's `useSyncExternalStore` as is.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @example
 * ```ts
 * const { isAuthenticated, user } = auth.getState()
 * ```
 */
export interface AuthState<Claims extends object = object> {
  /** A redirect callback is being handled. */
  readonly isLoading: boolean
  /** There are tokens: a valid access token, or a refresh token to renew it. */
  readonly isAuthenticated: boolean
  /** The ID token's claims. */
  readonly user: (IdTokenClaims & Claims) | undefined
  /** The last failure (core's typed errors), cleared by the next success. */
  readonly error: Error | undefined
}
