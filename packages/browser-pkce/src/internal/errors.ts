import { OAuthError, TokenValidationError } from '@oidckit/core'

/** A `TypeError` with a Node-style `code`, as core throws on caller misuse. */
export function argumentError(
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE',
  message: string,
  cause?: unknown,
): TypeError {
  const err = new TypeError(message, cause === undefined ? undefined : { cause })
  Object.defineProperty(err, 'code', { value: code, enumerable: true })
  return err
}

export function loginRequired(message = 'Not signed in.'): OAuthError {
  return new OAuthError('ERR_OAUTH_RESPONSE', message, { error: 'login_required' })
}

export function invalidCallback(message: string, claim = 'state'): TokenValidationError {
  return new TokenValidationError('ERR_AUTHORIZATION_RESPONSE_INVALID', message, {
    claim,
    reason: claim === 'state' ? 'mismatch' : 'invalid',
  })
}

const sessionEnded = new Set([
  'invalid_grant',
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
  'unauthorized_client',
])

/** The provider says the session is over: sign in again rather than retry (RP-20). */
export function endsSession(err: unknown): boolean {
  return err instanceof OAuthError && sessionEnded.has(err.error)
}
