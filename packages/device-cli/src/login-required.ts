import { OAuthError } from '@oidckit/core'

/**
 * @internal The error for "nothing usable is stored": an `OAuthError` with the OIDC `login_required` error
 * code (OIDC Core §3.1.2.6), whose message names the command to run.
 */
export function loginRequired(message: string, cause?: unknown): OAuthError {
  return new OAuthError('ERR_OAUTH_RESPONSE', message, { error: 'login_required', cause })
}

/**
 * Whether `err` says that nothing usable is stored and the user must run `oidckit login`: an
 * `OAuthError` whose `error` is `login_required` (OIDC Core §3.1.2.6).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 * @example
 * ```ts
 * try {
 *   await getToken()
 * } catch (err) {
 *   if (isLoginRequired(err)) console.error(err.message)
 * }
 * ```
 */
export function isLoginRequired(err: unknown): err is OAuthError {
  return err instanceof OAuthError && err.error === 'login_required'
}
