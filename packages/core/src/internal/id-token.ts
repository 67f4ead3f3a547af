import { TokenValidationError } from '../errors.js'
import type { IdTokenClaims } from '../types.js'
import { withHint } from './hints.js'
import { base64urlEncode, decodeJwtHeader } from './jwt.js'

function reject(claim: string, reason: TokenValidationError['reason'], message: string) {
  return new TokenValidationError('ERR_JWT_CLAIM_VALIDATION_FAILED', message, { claim, reason })
}

/** OIDC Core §3.1.3.7 #10: an ID token issued in the future is refused (oauth4webapi only types it). */
export function checkIssuedAt(claims: IdTokenClaims, nowSeconds: number, tolerance: number): void {
  if (claims.iat > nowSeconds + tolerance) {
    throw reject(
      'iat',
      'not_yet_valid',
      withHint(
        'The ID token\'s "iat" is in the future.',
        'future',
        claims.iat - nowSeconds,
        tolerance,
      ),
    )
  }
}

function hashFor(alg: string): string | undefined {
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'SHA-512'
  const bits = /^(?:RS|PS|ES)(256|384|512)$/.exec(alg)?.[1]
  return bits ? `SHA-${bits}` : undefined
}

/** RP-4: `at_hash`, when present, is the left half of the access token's hash (OIDC Core §3.1.3.8). */
export async function checkAccessTokenHash(
  idToken: string,
  claims: IdTokenClaims,
  accessToken: string,
): Promise<void> {
  if (claims.at_hash === undefined) return
  const alg = String(decodeJwtHeader(idToken).alg)
  const hash = hashFor(alg)
  if (typeof claims.at_hash !== 'string' || !hash) {
    throw reject('at_hash', 'invalid', `The ID token's "at_hash" is invalid.`)
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest(hash, new TextEncoder().encode(accessToken)),
  )
  if (base64urlEncode(digest.slice(0, digest.length / 2)) !== claims.at_hash) {
    throw reject('at_hash', 'mismatch', withHint('The ID token\'s "at_hash" is wrong.', 'swapped'))
  }
}

function sameAudience(a: string | string[], b: string | string[]): boolean {
  const left = [a].flat().sort()
  const right = [b].flat().sort()
  return left.length === right.length && left.every((value, i) => value === right[i])
}

/** RP-5: an ID token from a refresh must describe the same authentication (OIDC Core §12.2). */
export function checkRefreshedIdToken(previous: IdTokenClaims, next: IdTokenClaims): void {
  const mismatch = (claim: string) =>
    reject(
      claim,
      'mismatch',
      withHint(`The refreshed ID token's "${claim}" is not the original's.`, 'sameSession'),
    )
  if (next.iss !== previous.iss) throw mismatch('iss')
  if (next.sub !== previous.sub) throw mismatch('sub')
  if (!sameAudience(next.aud, previous.aud)) throw mismatch('aud')
  if (
    (previous.auth_time !== undefined || next.auth_time !== undefined) &&
    next.auth_time !== previous.auth_time
  ) {
    throw mismatch('auth_time')
  }
  if (next.nonce !== undefined && next.nonce !== previous.nonce) throw mismatch('nonce')
}
