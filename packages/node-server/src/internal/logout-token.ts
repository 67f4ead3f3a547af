import { isCompactJws, TokenValidationError } from '@oidckit/core'
import type { TokenValidationReason } from '@oidckit/core'
import { checkAudience } from './claims.js'
import { decodeSegment, verifySignature } from './jws.js'
import type { KeyStore } from './key-store.js'

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

export interface LogoutTokenChecks {
  /** The issuer identifier, exactly as discovery advertises it. */
  issuer: string
  /** Our `client_id`: the token's `aud` must name it. */
  clientId: string
  algorithms: ReadonlySet<string>
  /** Seconds of clock difference tolerated on `iat` and `exp`. */
  tolerance: number
  /** Seconds a logout token is accepted after its `iat`; also how long its `jti` is remembered. */
  maxAge: number
  /** Seconds since the epoch. */
  now: number
}

/** The claims a valid logout token says something with. */
export interface LogoutClaims {
  readonly iss: string
  readonly jti: string
  readonly iat: number
  readonly sub: string | undefined
  readonly sid: string | undefined
}

const TYP = new Set(['logout+jwt', 'application/logout+jwt'])

function fail(claim: string, reason: TokenValidationReason, message: string): never {
  throw new TokenValidationError(
    reason === 'expired' ? 'ERR_JWT_EXPIRED' : 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    message,
    { claim, reason },
  )
}

function invalid(claim: string, message: string): never {
  throw new TokenValidationError('ERR_JWT_INVALID', message, { claim, reason: 'invalid' })
}

const optionalString = (value: unknown, claim: string): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '')
    fail(claim, 'invalid', `The ${claim} claim is not a string.`)
  return value
}

/**
 * Validates a logout token per OpenID Connect Back-Channel Logout 1.0 §2.6 (RP-21): a signed
 * (never encrypted) compact JWS with an allowed asymmetric `alg` and a key from the issuer's
 * JWKS, `typ` `logout+jwt` when present, `iss`, `aud`, `iat` within `maxAge`, `exp` when
 * present, a `jti`, the back-channel logout event as an object, `sub` and/or `sid`, no `nonce`.
 * Replay of the `jti` is the caller's to check.
 */
export async function verifyLogoutToken(
  token: string,
  keys: KeyStore,
  checks: LogoutTokenChecks,
): Promise<LogoutClaims> {
  if (token.length > 16_384 || !isCompactJws(token)) {
    invalid('token', 'The logout token is not a signed JWT (an encrypted one is not accepted).')
  }
  const d1 = token.indexOf('.')
  const d2 = token.indexOf('.', d1 + 1)
  const header = decodeSegment(token.slice(0, d1), 'header')
  const { alg, kid, typ } = header
  if (typeof alg !== 'string' || !checks.algorithms.has(alg)) {
    throw new TokenValidationError('ERR_JWT_INVALID', 'The logout token alg is not allowed.', {
      claim: 'alg',
      reason: 'unsupported',
    })
  }
  if (header.crit !== undefined || header.b64 !== undefined) {
    invalid('crit', 'The logout token uses an unsupported JWS extension.')
  }
  if (kid !== undefined && typeof kid !== 'string')
    invalid('kid', 'The logout token kid is not a string.')
  // §2.4: explicit typing keeps another JWT of this issuer (an ID token) from passing as one.
  if (typ !== undefined && (typeof typ !== 'string' || !TYP.has(typ.toLowerCase()))) {
    fail('typ', 'mismatch', 'The logout token typ is not logout+jwt.')
  }
  const id = kid === undefined ? alg : `${alg} ${kid}`
  const key = keys.cached(id) ?? (await keys.resolve(id, alg, kid))
  verifySignature(alg, key, token.slice(0, d2), token.slice(d2 + 1))
  const claims = decodeSegment(token.slice(d1 + 1, d2), 'payload')
  const { iss, aud, iat, exp, jti, events, nonce } = claims
  if (iss !== checks.issuer) {
    fail(
      'iss',
      iss === undefined ? 'missing' : 'mismatch',
      'The logout token was issued by another issuer.',
    )
  }
  checkAudience(aud, [checks.clientId])
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    fail(
      'iat',
      iat === undefined ? 'missing' : 'invalid',
      'The logout token has no valid iat claim.',
    )
  }
  if (iat > checks.now + checks.tolerance)
    fail('iat', 'not_yet_valid', 'The logout token was issued in the future.')
  if (iat < checks.now - checks.maxAge - checks.tolerance) {
    fail('iat', 'expired', 'The logout token was issued too long ago.')
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      fail('exp', 'invalid', 'The logout token exp claim is not a number.')
    if (checks.now - checks.tolerance >= exp)
      fail('exp', 'expired', 'The logout token has expired.')
  }
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) {
    fail(
      'jti',
      jti === undefined ? 'missing' : 'invalid',
      'The logout token has no valid jti claim.',
    )
  }
  const event =
    typeof events === 'object' && events !== null && !Array.isArray(events)
      ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT]
      : undefined
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    fail(
      'events',
      events === undefined ? 'missing' : 'invalid',
      'The logout token has no back-channel logout event.',
    )
  }
  // §2.4: a nonce is forbidden, so an ID token can never be replayed as a logout token.
  if (nonce !== undefined) fail('nonce', 'invalid', 'A logout token must not carry a nonce.')
  const sub = optionalString(claims.sub, 'sub')
  const sid = optionalString(claims.sid, 'sid')
  if (sub === undefined && sid === undefined) {
    fail('sid', 'missing', 'The logout token names neither a sid nor a sub.')
  }
  return { iss: checks.issuer, jti, iat, sub, sid }
}
