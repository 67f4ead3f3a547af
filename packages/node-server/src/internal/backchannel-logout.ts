import { DiscoveryError, NetworkError, OidcKitError, TokenValidationError } from '@oidckit/core'
import type { KeyStore } from './key-store.js'
import { verifyLogoutToken } from './logout-token.js'
import type { LogoutClaims } from './logout-token.js'
import { Lru } from './lru.js'
import { json } from './responses.js'

const MAX_BODY = 64 * 1024

export interface BackchannelOptions {
  /** The discovered issuer identifier and its key store, made on first use. */
  setup: () => Promise<{ issuer: string; keys: KeyStore }>
  clientId: string
  algorithms: ReadonlySet<string>
  tolerance: number
  maxAge: number
  /** Seconds since the epoch. */
  now: () => number
  /** Whether sessions can be ended from here: there is a store or a revocation list. */
  enabled: boolean
  /** Ends the sessions the token names; rejects when the store is down. */
  end: (claims: LogoutClaims) => Promise<void>
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
  return async (request) => {
    if (request.method !== 'POST') {
      return json(405, { error: 'invalid_request', error_description: 'Use POST.' }, [], {
        allow: 'POST',
      })
    }
    if (!options.enabled) {
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
      const { issuer, keys } = await options.setup()
      const now = options.now()
      const claims = await verifyLogoutToken(tokens[0]!, keys, {
        issuer,
        clientId: options.clientId,
        algorithms: options.algorithms,
        tolerance: options.tolerance,
        maxAge: options.maxAge,
        now,
      })
      const key = `${claims.iss} ${claims.jti}`
      const until = seen.get(key)
      if (until !== undefined && until > now) {
        return invalid('The logout token was already used (jti).')
      }
      await options.end(claims)
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
