import { TokenValidationError } from '@oidckit/core'
import type { TokenValidationReason } from '@oidckit/core'

export interface ClaimChecks {
  issuer: string
  audiences: readonly string[]
  tolerance: number
  /** Seconds since the epoch. */
  now: number
  /** RFC 9068 access tokens carry no ID token claims; refused in legacy `typ` mode (RP-14). */
  legacy: boolean
}

function fail(claim: string, reason: TokenValidationReason, message: string): never {
  const code =
    reason === 'expired' ? 'ERR_JWT_EXPIRED' : ('ERR_JWT_CLAIM_VALIDATION_FAILED' as const)
  throw new TokenValidationError(code, message, { claim, reason })
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** Checks `iss`, `aud`, `exp`, `nbf`, `iat` and `sub` of a verified JWT access token (RFC 9068 §4). */
export function checkClaims(payload: Record<string, unknown>, checks: ClaimChecks): void {
  const { iss, aud, exp, nbf, iat, sub } = payload
  if (iss !== checks.issuer)
    fail(
      'iss',
      iss === undefined ? 'missing' : 'mismatch',
      'The token was issued by another issuer.',
    )
  checkAudience(aud, checks.audiences)
  if (!isNumber(exp))
    fail('exp', exp === undefined ? 'missing' : 'invalid', 'The token has no valid exp claim.')
  if (checks.now - checks.tolerance >= exp) fail('exp', 'expired', 'The token has expired.')
  if (nbf !== undefined) {
    if (!isNumber(nbf)) fail('nbf', 'invalid', 'The token nbf claim is not a number.')
    if (nbf > checks.now + checks.tolerance)
      fail('nbf', 'not_yet_valid', 'The token is not valid yet.')
  }
  if (iat !== undefined) {
    if (!isNumber(iat)) fail('iat', 'invalid', 'The token iat claim is not a number.')
    if (iat > checks.now + checks.tolerance)
      fail('iat', 'not_yet_valid', 'The token was issued in the future.')
  }
  if (typeof sub !== 'string' || sub === '')
    fail('sub', sub === undefined ? 'missing' : 'invalid', 'The token has no sub claim.')
  if (checks.legacy && (payload.nonce !== undefined || payload.at_hash !== undefined)) {
    fail('typ', 'mismatch', 'An ID token is not an access token.')
  }
}

/** `aud` must name this resource server (C-18, RP-14). */
export function checkAudience(aud: unknown, audiences: readonly string[]): void {
  if (typeof aud === 'string') {
    if (audiences.includes(aud)) return
  } else if (Array.isArray(aud)) {
    if (aud.some((value) => typeof value === 'string' && audiences.includes(value))) return
  } else if (aud === undefined) {
    fail('aud', 'missing', 'The token has no aud claim.')
  }
  fail('aud', 'mismatch', 'The token was not issued for this audience.')
}

/** The granted scopes, from `scope` (RFC 9068 §2.2.3) or `scp` (a list, as Okta and Azure send). */
export function grantedScopes(payload: Record<string, unknown>): string[] {
  const { scope, scp } = payload
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean)
  if (scope !== undefined) fail('scope', 'invalid', 'The token scope claim is not a string.')
  if (typeof scp === 'string') return scp.split(' ').filter(Boolean)
  if (Array.isArray(scp) && scp.every((value) => typeof value === 'string')) return scp
  if (scp !== undefined) fail('scope', 'invalid', 'The token scp claim is malformed.')
  return []
}

const requiredByError = new WeakMap<object, readonly string[]>()

/** Throws `insufficient_scope` (RFC 6750 §3.1) when a required scope was not granted. */
export function checkScopes(granted: readonly string[], required: readonly string[]): void {
  if (required.every((scope) => granted.includes(scope))) return
  const err = new TokenValidationError(
    'ERR_JWT_CLAIM_VALIDATION_FAILED',
    `The token lacks a required scope (needs: ${required.join(' ')}).`,
    { claim: 'scope', reason: 'missing' },
  )
  requiredByError.set(err, required)
  throw err
}

/** The scopes an `insufficient_scope` error asked for, for the `scope` challenge parameter. */
export function requiredScopesOf(err: object): readonly string[] | undefined {
  return requiredByError.get(err)
}

/** Normalises a scope option given as a space-separated string or a list. */
export function scopeList(scopes: string | readonly string[] | undefined): string[] {
  if (scopes === undefined) return []
  const list = typeof scopes === 'string' ? scopes.split(' ') : [...scopes]
  for (const scope of list) {
    if (typeof scope !== 'string' || /[\s"\\]/.test(scope)) {
      throw Object.assign(new TypeError(`Invalid scope ${JSON.stringify(scope)}.`), {
        code: 'ERR_INVALID_ARG_VALUE',
      })
    }
  }
  return list.filter(Boolean)
}
