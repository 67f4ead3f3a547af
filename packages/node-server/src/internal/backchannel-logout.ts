import { DiscoveryError, NetworkError, OidcKitError, TokenValidationError } from '@oidckit/core'
import type { Client, FetchLike } from '@oidckit/core'
import type { RevokedSessions } from '../revoked-sessions.js'
import type { SessionStore } from '../session-store.js'
import { KeyStore } from './key-store.js'
import { verifyLogoutToken } from './logout-token.js'
import type { LogoutClaims } from './logout-token.js'
import { Lru } from './lru.js'
import { json } from './responses.js'
import { storeUnavailable } from './session-backend.js'

const MAX_BODY = 64 * 1024

export interface BackchannelOptions {
  /** The web auth's discovered client: its issuer identifier and `jwks_uri`. */
  client: () => Promise<Client>
  fetch: FetchLike | undefined
  clientId: string
  algorithms: ReadonlySet<string>
  /** Seconds. */
  tolerance: number
  /** Seconds a logout token is accepted after its `iat`, and its `jti` remembered. */
  maxAge: number
  /** Seconds a revocation is kept: the longest a session lives. */
  sessionTtl: number
  /** Milliseconds since the epoch. */
  clock: () => number
  store: SessionStore | undefined
  revokedSessions: RevokedSessions | undefined
}

const invalid = (description: string) =>
  json(400, { error: 'invalid_request', error_description: description })

/** Reads at most `MAX_BODY` bytes of the body; `undefined` past that. */
async function readForm(request: Request): Promise<URLSearchParams | undefined> {
  if (!request.body) return new URLSearchParams()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/** The back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 §2.5–2.8). */
export function backchannelLogoutHandler(
  options: BackchannelOptions,
): (request: Request) => Promise<Response> {
  // §2.6 step 7: a jti seen within the accepted iat window is a replay. Bounded: only tokens
  // that passed every check, the signature included, are remembered.
  const seen = new Lru<string, number>(10_000)
  const { store, revokedSessions } = options
  const now = () => Math.floor(options.clock() / 1000)

  let setup: Promise<{ issuer: string; keys: KeyStore }> | undefined
  const keys = () =>
    (setup ??= options.client().then((c) => {
      const jwksUri = c.issuer.metadata.jwks_uri
      if (typeof jwksUri !== 'string') {
        throw new DiscoveryError('ERR_DISCOVERY_INVALID', 'The issuer publishes no jwks_uri.')
      }
      // The verifier's key store: one fetch at a time, a refetch for an unknown kid (RP-3).
      const keys = new KeyStore({
        jwksUri,
        fetch: options.fetch,
        cooldown: 60_000,
        maxAge: 300_000,
        timeout: 5000,
        now: options.clock,
        onRotate: () => undefined,
      })
      return { issuer: c.issuer.identifier, keys }
    })).catch((err: unknown) => {
      setup = undefined
      throw err
    })

  // §2.7: a sid ends that session; a sub alone ends all of the user's.
  async function end({ sid, sub, iat }: LogoutClaims): Promise<void> {
    try {
      if (store) await (sid ? store.destroyBySid(sid) : store.destroyBySub(sub!))
      if (revokedSessions) {
        // Sessions that began before the provider ended its own (its iat) are over.
        const at = Math.min(iat + options.tolerance, now())
        const ttl = options.sessionTtl
        await revokedSessions.add(sid ? `sid:${sid}` : `sub:${sub!}`, { at, ttl })
      }
    } catch (err) {
      throw storeUnavailable(err)
    }
  }

  return async (request) => {
    if (request.method !== 'POST') {
      return json(405, { error: 'invalid_request', error_description: 'Use POST.' }, [], {
        allow: 'POST',
      })
    }
    if (!store && !revokedSessions) {
      return invalid(
        'This app cannot end sessions from the back channel: it has no session store and no revokedSessions list.',
      )
    }
    const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/x-www-form-urlencoded') {
      return invalid('The body must be application/x-www-form-urlencoded.')
    }
    let form: URLSearchParams | undefined
    try {
      form = await readForm(request)
    } catch {
      return invalid('The body could not be read.')
    }
    if (!form) return invalid('The body is too large.')
    const tokens = form.getAll('logout_token')
    if (tokens.length !== 1 || tokens[0] === '') {
      return invalid('The request must carry exactly one logout_token.')
    }
    try {
      const { issuer, keys: keyStore } = await keys()
      const claims = await verifyLogoutToken(tokens[0]!, keyStore, {
        issuer,
        clientId: options.clientId,
        algorithms: options.algorithms,
        tolerance: options.tolerance,
        maxAge: options.maxAge,
        now: now(),
      })
      const key = `${claims.iss} ${claims.jti}`
      const until = seen.get(key)
      if (until !== undefined && until > now()) {
        return invalid('The logout token was already used (jti).')
      }
      await end(claims)
      seen.set(key, claims.iat + options.maxAge + 2 * options.tolerance)
      return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } })
    } catch (err) {
      if (err instanceof TokenValidationError) return invalid(err.message)
      if (err instanceof NetworkError || err instanceof DiscoveryError) {
        // Transient: the provider may retry the same token, so its jti is not remembered.
        return json(503, { error: 'temporarily_unavailable', error_description: err.message }, [], {
          'retry-after': '5',
        })
      }
      if (err instanceof OidcKitError) return invalid(err.message)
      throw err
    }
  }
}
