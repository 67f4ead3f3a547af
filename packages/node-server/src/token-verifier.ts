import { createHash } from 'node:crypto'
import { Client, DiscoveryError, isCompactJws, TokenValidationError } from '@oidckit/core'
import type { ClientPrivateKey, FetchLike } from '@oidckit/core'
import { parseBearer } from './internal/bearer.js'
import { checkClaims, checkScopes, grantedScopes, scopeList } from './internal/claims.js'
import { Backoff } from './internal/backoff.js'
import { Introspector } from './internal/introspection.js'
import { ASYMMETRIC_ALGORITHMS, decodeSegment, verifySignature } from './internal/jws.js'
import { KeyStore } from './internal/key-store.js'
import { Lru } from './internal/lru.js'
import { argumentError, optionalNumber } from './internal/options.js'

/**
 * The registered claims of a JWT access token (RFC 9068 §2.2), plus your own through the
 * `Claims` type parameter.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 * @example
 * ```ts
 * const claims: AccessTokenClaims = (await verifier.verify(token)).claims
 * console.log(claims.sub, claims.scope)
 * ```
 */
export interface AccessTokenClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string | string[]
  readonly exp: number
  readonly iat?: number
  readonly nbf?: number
  readonly jti?: string
  readonly client_id?: string
  readonly scope?: string
  readonly [claim: string]: unknown
}

/**
 * A verified access token: its claims, its granted scopes, and the token itself (not
 * enumerable, so logging the result never prints it: C-18).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2
 * @example
 * ```ts
 * const { claims, scopes } = await verifier.verify(token)
 * if (scopes.includes('api:write')) save(claims.sub)
 * ```
 */
export interface AuthResult<Claims extends object = object> {
  readonly claims: AccessTokenClaims & Claims
  readonly scopes: readonly string[]
  readonly token: string
}

/**
 * What the logging hook `onFailure` receives: why a token was refused, never the token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @example
 * ```ts
 * const onFailure = (failure: VerifyFailure) => console.warn(failure.code, failure.message)
 * ```
 */
export interface VerifyFailure {
  /** The error's stable code, e.g. `ERR_JWT_EXPIRED`, `ERR_TIMEOUT`. */
  readonly code: string
  /** The failed claim (`exp`, `aud`, `scope`, `authorization`…), when a claim failed. */
  readonly claim: string | undefined
  readonly message: string
  readonly error: Error
}

/**
 * Options of {@link createTokenVerifier}. Durations of our own caches are milliseconds;
 * `clockTolerance` is seconds, like the claims it applies to.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @example
 * ```ts
 * const options: TokenVerifierOptions = { issuer: 'http://localhost:9400', audience: 'http://localhost:4000' }
 * ```
 */
export interface TokenVerifierOptions {
  /** The issuer identifier; `jwks_uri` is discovered from it. */
  issuer: string
  /** This resource server's identifier(s); the token's `aud` must contain one (C-18). */
  audience: string | readonly string[]
  /** Scopes every token must carry, as a list or a space-separated string. */
  requiredScopes?: string | readonly string[] | undefined
  /** Allowed JWS algorithms. Default: every asymmetric one; `none` and `HS*` are refused (RP-2). */
  algorithms?: readonly string[] | undefined
  /** Seconds of clock difference tolerated on `exp`, `nbf`, `iat`. Default 5. */
  clockTolerance?: number | undefined
  /**
   * Require the RFC 9068 header `typ: at+jwt` (default `true`). With `false`, tokens with any
   * `typ` pass, but a token carrying `nonce` or `at_hash` (an ID token) is still refused (RP-14).
   */
  requireAtJwt?: boolean | undefined
  /** The JWKS URL, when the issuer has no discovery document; skips discovery. */
  jwksUri?: string | undefined
  /** Milliseconds before an unknown `kid` may refetch the JWKS. Default 60 000 (RP-3). */
  jwksCooldown?: number | undefined
  /**
   * Milliseconds a fetched JWKS is trusted; the next token after that refetches it, cached ones
   * included. Default 300 000 (RP-3).
   */
  jwksMaxAge?: number | undefined
  /**
   * Cache verified tokens (keyed by a SHA-256 of the token). An entry ends at the token's `exp`,
   * when the issuer's key set changes, and when the key set it was checked against is
   * `jwksMaxAge` old, so a key withdrawn from the JWKS stops its cached tokens within that
   * time. `true` keeps up to 10 000 entries.
   */
  cache?: boolean | { max?: number | undefined } | undefined
  /**
   * Check tokens that are not JWTs at the introspection endpoint (RFC 7662), as this
   * confidential client. Answers are cached for `cacheTtl` ms (default 30 000), never past `exp`.
   */
  introspection?:
    | {
        clientId: string
        clientSecret?: string | undefined
        privateKey?: ClientPrivateKey | undefined
        cacheTtl?: number | undefined
        max?: number | undefined
      }
    | undefined
  /** Called with the reason of every refused token (without the token), for logging. */
  onFailure?: ((failure: VerifyFailure) => void) | undefined
  /**
   * The fetch for discovery, JWKS and introspection; called with one `Request`. After a failed
   * discovery or JWKS fetch, the next waits 1 s, doubling to 60 s; until then verification
   * fails at once with the same error (503 from the adapters).
   */
  fetch?: FetchLike | undefined
  /**
   * Milliseconds since the epoch; defaults to `Date.now`. Used for `exp`/`nbf`/`iat`, the JWKS
   * and token cache ages, and the backoff after failed fetches.
   */
  clock?: (() => number) | undefined
  /** Allow an `http:` issuer on a non-loopback host. For local development only. */
  allowInsecure?: boolean | undefined
}

/**
 * A verifier made by {@link createTokenVerifier}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750
 * @example
 * ```ts
 * const { claims } = await verifier.verifyRequest(request)
 * ```
 */
export interface TokenVerifier<Claims extends object = object> {
  /** Verifies one access token. Throws `TokenValidationError`, `NetworkError` or `DiscoveryError`. */
  verify(token: string): Promise<AuthResult<Claims>>
  /** Reads the `Authorization: Bearer` header strictly (RP-15), then verifies the token. */
  verifyRequest(request: Request): Promise<AuthResult<Claims>>
  /** Verifies the `Authorization` header line(s) as received, e.g. Node's `req.headersDistinct.authorization`. */
  verifyAuthorization(
    values: readonly string[] | string | null | undefined,
  ): Promise<AuthResult<Claims>>
  /** The options it was created with. */
  readonly options: Readonly<TokenVerifierOptions>
}

interface CacheEntry {
  result: AuthResult
  /** Milliseconds: the earlier of the token's `exp` (plus tolerance) and the key set's `staleAt`. */
  until: number
  /** The key set generation the signature was checked under. */
  generation: number
}

const TYP = new Set(['at+jwt', 'application/at+jwt'])

/**
 * Creates a verifier of bearer access tokens for a resource server: signature against the
 * issuer's JWKS (fetched through discovery, cached, refetched once on an unknown `kid`), `iss`,
 * `aud`, `exp`/`nbf`/`iat`, RFC 9068 `typ: at+jwt`, an algorithm allowlist and required scopes.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` on bad options (an HMAC or `none` algorithm…).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 * @example
 * ```ts
 * import { createTokenVerifier } from '@oidckit/node-server'
 *
 * const verifier = createTokenVerifier({ issuer: 'http://localhost:9400', audience: 'http://localhost:4000' })
 * const { claims, scopes } = await verifier.verify(accessToken)
 * ```
 */
export function createTokenVerifier<Claims extends object = object>(
  options: TokenVerifierOptions,
): TokenVerifier<Claims> {
  if (typeof options !== 'object' || options === null) {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'createTokenVerifier() needs { issuer, audience }.')
  }
  const { issuer, onFailure } = options
  if (typeof issuer !== 'string' || issuer === '') {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`issuer` must be the issuer URL string.')
  }
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    audiences.some((a) => typeof a !== 'string' || a === '')
  ) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      '`audience` must be this API identifier (a string or a list).',
    )
  }
  const algorithms = new Set<string>(options.algorithms ?? ASYMMETRIC_ALGORITHMS)
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `The algorithm ${JSON.stringify(alg)} is not allowed: only asymmetric JWS algorithms verify access tokens (no none, no HS*).`,
      )
    }
  }
  const required = scopeList(options.requiredScopes)
  const tolerance = optionalNumber(options.clockTolerance, '`clockTolerance`') ?? 5
  const cooldown = optionalNumber(options.jwksCooldown, '`jwksCooldown`') ?? 60_000
  const maxAge = optionalNumber(options.jwksMaxAge, '`jwksMaxAge`') ?? 300_000
  const legacy = options.requireAtJwt === false
  const clock = options.clock ?? Date.now
  const cacheMax =
    options.cache === true ? 10_000 : options.cache ? (options.cache.max ?? 10_000) : 0
  const cache = cacheMax > 0 ? new Lru<string, CacheEntry>(cacheMax) : undefined
  const introspectionOptions = options.introspection
  const introspector = introspectionOptions
    ? new Introspector({
        issuer,
        audiences,
        tolerance,
        now: clock,
        ttl: introspectionOptions.cacheTtl ?? 30_000,
        max: introspectionOptions.max ?? 1000,
      })
    : undefined

  // Discovery that failed is not retried before its backoff ends; callers get its error meanwhile.
  const discovery = new Backoff(clock)
  let setup: Promise<{ keys: KeyStore; client: Client }> | undefined
  const init = () => {
    if (setup) return setup
    const waiting = discovery.pending()
    if (waiting !== undefined) return Promise.reject(waiting as Error)
    setup = (async () => {
      const client = await Client.discover({
        issuer,
        // Discovery needs a client_id; a resource server without introspection has none.
        clientId: introspectionOptions?.clientId ?? 'oidckit-resource-server',
        clientSecret: introspectionOptions?.clientSecret,
        privateKey: introspectionOptions?.privateKey,
        fetch: options.fetch,
        clock: options.clock,
        allowInsecure: options.allowInsecure,
      })
      const jwksUri = options.jwksUri ?? client.issuer.metadata.jwks_uri
      if (typeof jwksUri !== 'string') {
        throw new DiscoveryError(
          'ERR_DISCOVERY_INVALID',
          `The issuer ${issuer} publishes no jwks_uri.`,
        )
      }
      const keys = new KeyStore({
        jwksUri,
        fetch: options.fetch,
        cooldown,
        maxAge,
        timeout: 5000,
        now: clock,
        onRotate: () => cache?.clear(),
      })
      discovery.succeeded()
      return { keys, client }
    })().catch((err: unknown) => {
      setup = undefined
      discovery.failed(err)
      throw err
    })
    return setup
  }
  let ready: { keys: KeyStore; client: Client } | undefined

  async function verifyJwt(
    token: string,
    d1: number,
    d2: number,
    cacheKey: string | undefined,
  ): Promise<AuthResult> {
    // One token, one string (RFC 7515 §2): a lenient decoder would read padded, `+/` or
    // stray-bit variants as the same token, and each would verify under its own cache key.
    if (!isCompactJws(token)) {
      throw new TokenValidationError(
        'ERR_JWT_INVALID',
        'The token is not a compact JWS in canonical base64url.',
        { claim: 'token', reason: 'invalid' },
      )
    }
    const header = decodeSegment(token.slice(0, d1), 'header')
    const { alg, kid, typ, crit } = header
    if (typeof alg !== 'string' || !algorithms.has(alg)) {
      throw new TokenValidationError('ERR_JWT_INVALID', 'The token alg is not allowed.', {
        claim: 'alg',
        reason: 'unsupported',
      })
    }
    if (crit !== undefined || header.b64 !== undefined) {
      throw new TokenValidationError(
        'ERR_JWT_INVALID',
        'The token uses an unsupported JWS extension.',
        {
          claim: 'crit',
          reason: 'unsupported',
        },
      )
    }
    if (kid !== undefined && typeof kid !== 'string') {
      throw new TokenValidationError('ERR_JWT_INVALID', 'The token kid is not a string.', {
        claim: 'kid',
        reason: 'invalid',
      })
    }
    if (!legacy && (typeof typ !== 'string' || !TYP.has(typ.toLowerCase()))) {
      throw new TokenValidationError(
        'ERR_JWT_INVALID',
        'The token is not a JWT access token (typ at+jwt).',
        {
          claim: 'typ',
          reason: typ === undefined ? 'missing' : 'mismatch',
        },
      )
    }
    const { keys } = (ready ??= await init())
    const id = kid === undefined ? alg : `${alg} ${kid}`
    const key = keys.cached(id) ?? (await keys.resolve(id, alg, kid))
    verifySignature(alg, key, token.slice(0, d2), token.slice(d2 + 1))
    const payload = decodeSegment(token.slice(d1 + 1, d2), 'payload')
    checkClaims(payload, { issuer, audiences, tolerance, now: Math.floor(clock() / 1000), legacy })
    const scopes = grantedScopes(payload)
    checkScopes(scopes, required)
    const verified = result(payload, scopes, token)
    const exp = payload.exp
    // Only a key the store still holds tags the entry with the current generation: a set that
    // changed while this key was being fetched makes the entry a miss on its first use.
    if (cache && cacheKey !== undefined && typeof exp === 'number' && keys.cached(id) === key) {
      // RP-3: a cached result lasts no longer than the key set it was checked against, so a
      // key withdrawn from the JWKS stops its tokens at the next refetch, 300 s at most.
      const until = Math.min((exp + tolerance) * 1000, keys.staleAt)
      cache.set(cacheKey, { result: verified, until, generation: keys.generation })
    }
    return verified
  }

  async function verifyOpaque(token: string): Promise<AuthResult> {
    if (!introspector) {
      throw new TokenValidationError('ERR_JWT_INVALID', 'The token is not a JWT.', {
        claim: 'token',
        reason: 'invalid',
      })
    }
    const { client } = (ready ??= await init())
    const claims = await introspector.introspect(client, token)
    const scopes = grantedScopes(claims)
    checkScopes(scopes, required)
    return result(claims, scopes, token)
  }

  async function verifyToken(token: string): Promise<AuthResult> {
    if (typeof token !== 'string' || token === '' || token.length > 16_384) {
      throw new TokenValidationError('ERR_JWT_INVALID', 'The token is empty or too long.', {
        claim: 'token',
        reason: 'invalid',
      })
    }
    let key: string | undefined
    if (cache) {
      key = createHash('sha256').update(token).digest('base64url')
      const hit = cache.get(key)
      if (hit !== undefined) {
        if (hit.generation === ready?.keys.generation && clock() < hit.until) return hit.result
        cache.delete(key)
      }
    }
    const d1 = token.indexOf('.')
    const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1)
    const jwt = d2 > 0 && token.indexOf('.', d2 + 1) < 0
    return jwt ? verifyJwt(token, d1, d2, key) : verifyOpaque(token)
  }

  const report = (err: unknown): never => {
    if (onFailure && err instanceof Error) {
      try {
        onFailure({
          code: String((err as { code?: unknown }).code ?? err.name),
          claim: err instanceof TokenValidationError ? err.claim : undefined,
          message: err.message,
          error: err,
        })
      } catch {
        // A throwing logger must not turn a 401 into a 500.
      }
    }
    throw err
  }

  const verifier: TokenVerifier<Claims> = {
    options: Object.freeze({ ...options }),
    async verify(token) {
      try {
        return (await verifyToken(token)) as AuthResult<Claims>
      } catch (err) {
        return report(err)
      }
    },
    verifyAuthorization(values) {
      let token: string
      try {
        token = parseBearer(values)
      } catch (err) {
        return Promise.reject(err).catch(report)
      }
      return verifier.verify(token)
    },
    verifyRequest(request) {
      // A Headers object joins repeated lines with ", ", which the strict parser then refuses.
      return verifier.verifyAuthorization(request.headers.get('authorization'))
    },
  }
  return verifier
}

/** A class, so `token` is a prototype getter: not enumerable, not in JSON, and cheap to build. */
class Verified {
  readonly claims: AccessTokenClaims
  readonly scopes: readonly string[]
  readonly #token: string
  constructor(claims: AccessTokenClaims, scopes: readonly string[], token: string) {
    this.claims = claims
    this.scopes = scopes
    this.#token = token
  }
  get token(): string {
    return this.#token
  }
}

function result(claims: Record<string, unknown>, scopes: string[], token: string): AuthResult {
  return new Verified(claims as AccessTokenClaims, scopes, token)
}
