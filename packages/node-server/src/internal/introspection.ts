import { createHash } from 'node:crypto'
import { TokenValidationError } from '@oidckit/core'
import type { Client } from '@oidckit/core'
import { checkAudience } from './claims.js'
import { Lru } from './lru.js'

export interface IntrospectionChecks {
  issuer: string
  audiences: readonly string[]
  tolerance: number
  /** Milliseconds since the epoch. */
  now: () => number
  /** Milliseconds an active answer is reused, never past the token's `exp`. */
  ttl: number
  max: number
}

interface Entry {
  claims: Record<string, unknown>
  until: number
}

function inactive(claim: string, message: string): never {
  throw new TokenValidationError('ERR_JWT_CLAIM_VALIDATION_FAILED', message, {
    claim,
    reason: 'invalid',
  })
}

/**
 * Opaque access tokens checked at the issuer's introspection endpoint (RFC 7662) through core's
 * `client.introspect()`, with a short bounded cache that never outlives `exp` (RP-22).
 */
export class Introspector {
  readonly #cache: Lru<string, Entry>
  readonly #checks: IntrospectionChecks

  constructor(checks: IntrospectionChecks) {
    this.#checks = checks
    this.#cache = new Lru(checks.max)
  }

  async introspect(client: Client, token: string): Promise<Record<string, unknown>> {
    const key = createHash('sha256').update(token).digest('base64url')
    const now = this.#checks.now()
    const hit = this.#cache.get(key)
    if (hit && now < hit.until) return hit.claims
    const result = (await client.introspect(token, { tokenTypeHint: 'access_token' })) as Record<
      string,
      unknown
    >
    // RFC 7662 §2.2: anything but `active: true` means the token is not usable.
    if (result.active !== true) inactive('active', 'The token is not active.')
    if (result.iss !== undefined && result.iss !== this.#checks.issuer) {
      inactive('iss', 'The token was issued by another issuer.')
    }
    checkAudience(result.aud, this.#checks.audiences)
    if (result.token_type === 'refresh_token')
      inactive('token_type', 'A refresh token is not an access token.')
    const { exp } = result
    if (exp !== undefined && typeof exp !== 'number')
      inactive('exp', 'The token exp is not a number.')
    if (typeof exp === 'number' && now / 1000 - this.#checks.tolerance >= exp) {
      throw new TokenValidationError('ERR_JWT_EXPIRED', 'The token has expired.', {
        claim: 'exp',
        reason: 'expired',
      })
    }
    const { active: _active, ...claims } = result
    const until = Math.min(now + this.#checks.ttl, typeof exp === 'number' ? exp * 1000 : Infinity)
    this.#cache.set(key, { claims, until })
    return claims
  }
}
