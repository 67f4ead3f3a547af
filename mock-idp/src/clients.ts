import type { MockIdpClock } from './clock.js'
import { jose } from './internal/jose.js'
import type { Params } from './internal/params.js'
import { ProtocolError } from './internal/protocol-error.js'
import { constantTimeEqual } from './internal/random.js'
import type { ResolvedClient, ResolvedConfig } from './internal/resolve-config.js'
import type { Store } from './store.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** After this many failures in {@link THROTTLE_WINDOW} seconds a confidential client is throttled (AS-6). */
export const MAX_AUTH_FAILURES = 10
const THROTTLE_WINDOW = 60
/** A `private_key_jwt` assertion may live at most this long (AS-6, "reject long exp"). */
const MAX_ASSERTION_LIFETIME = 300
const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  // RFC 9864: Ed25519 is the fully-specified name oauth4webapi and openid-client sign with.
  'Ed25519',
  'EdDSA',
]

function invalidClient(description: string, basic: boolean): ProtocolError {
  // RFC 6749 §5.2: 401 with WWW-Authenticate when the client tried HTTP authentication.
  return new ProtocolError(
    'invalid_client',
    description,
    401,
    basic ? { 'www-authenticate': 'Basic realm="mock-idp", charset="UTF-8"' } : {},
  )
}

function decodeBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/=._~-]+) *$/i.exec(header)
  if (!match) return undefined
  let decoded: string
  try {
    decoded = atob(match[1]!)
  } catch {
    return undefined
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  try {
    // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '))
    const bytes = Uint8Array.from(decoded, (c) => c.charCodeAt(0))
    const text = new TextDecoder().decode(bytes)
    const at = text.indexOf(':')
    return { id: formDecode(text.slice(0, at)), secret: formDecode(text.slice(at + 1)) }
  } catch {
    return undefined
  }
}

/**
 * The registered clients: lookup by `client_id`, and client authentication with its throttle
 * (AS-6). The list is fixed by the config.
 */
export class Clients {
  readonly #config: ResolvedConfig
  readonly #store: Store
  readonly #clock: MockIdpClock

  constructor(config: ResolvedConfig, store: Store, clock: MockIdpClock) {
    this.#config = config
    this.#store = store
    this.#clock = clock
  }

  /** The client registered as `clientId`, if any. */
  get(clientId: string | undefined): ResolvedClient | undefined {
    return clientId === undefined ? undefined : this.#config.clients.get(clientId)
  }

  has(clientId: string): boolean {
    return this.#config.clients.has(clientId)
  }

  /** Every client, in the config's order. */
  values(): IterableIterator<ResolvedClient> {
    return this.#config.clients.values()
  }

  ids(): IterableIterator<string> {
    return this.#config.clients.keys()
  }

  /**
   * Authenticates the client of a token, introspection, revocation or device request by the
   * method it registered (RFC 6749 §2.3, RFC 7523 §2.2). A client registered for a client secret
   * may send it by either `client_secret_basic` or `client_secret_post`, as Keycloak accepts.
   *
   * @throws ProtocolError `invalid_client` (401), `invalid_request` for two methods at once.
   */
  async authenticate(request: Request, params: Params): Promise<ResolvedClient> {
    const authorization = request.headers.get('authorization')
    const basicHeader = authorization !== null && /^basic\b/i.test(authorization)
    const assertion = params.get('client_assertion')
    const postSecret = params.get('client_secret')
    const methods = [basicHeader, postSecret !== undefined, assertion !== undefined].filter(Boolean)
    if (methods.length > 1) {
      throw invalidClient('more than one client authentication method used', basicHeader)
    }

    let clientId = params.get('client_id')
    let secret: string | undefined
    if (basicHeader) {
      const basic = decodeBasic(authorization!)
      if (!basic) throw invalidClient('malformed Basic authorization header', true)
      if (clientId !== undefined && clientId !== basic.id) {
        throw invalidClient('client_id differs from the Basic credentials', true)
      }
      clientId = basic.id
      secret = basic.secret
    } else if (postSecret !== undefined) {
      secret = postSecret
    } else if (assertion !== undefined) {
      return this.#authenticateAssertion(params, assertion, clientId)
    }
    if (!clientId) throw invalidClient('client authentication failed', basicHeader)
    const client = this.#config.clients.get(clientId)
    // An unknown client_id has nothing to guess: it is refused without being counted, so junk
    // ids never crowd a registered client's count out of the map (AS-6).
    if (!client) throw invalidClient('client authentication failed', basicHeader)
    if (client.isPublic) {
      // BBA §6.3.3: a public client never presents a secret.
      if (secret !== undefined)
        throw invalidClient('this client is public and has no secret', basicHeader)
      return client
    }
    this.#throttle(client)
    if (secret === undefined || client.clientSecret === undefined) {
      throw invalidClient(
        `this client must authenticate (${client.tokenEndpointAuthMethod})`,
        basicHeader,
      )
    }
    if (!constantTimeEqual(secret, client.clientSecret)) {
      this.#recordFailure(client)
      throw invalidClient('client authentication failed', basicHeader)
    }
    return client
  }

  async #authenticateAssertion(
    params: Params,
    assertion: string,
    clientIdParam: string | undefined,
  ): Promise<ResolvedClient> {
    if (params.get('client_assertion_type') !== JWT_BEARER) {
      throw invalidClient(`client_assertion_type must be ${JWT_BEARER}`, false)
    }
    const { createLocalJWKSet, decodeProtectedHeader, jwtVerify } = await jose()
    let header: ReturnType<typeof decodeProtectedHeader>
    let unverified: { iss?: unknown; sub?: unknown }
    try {
      header = decodeProtectedHeader(assertion)
      const part = assertion.split('.')[1] ?? ''
      unverified = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as typeof unverified
    } catch {
      throw invalidClient('client_assertion is not a JWT', false)
    }
    const clientId = typeof unverified.sub === 'string' ? unverified.sub : undefined
    if (!clientId || (clientIdParam !== undefined && clientIdParam !== clientId)) {
      throw invalidClient('client_assertion sub must be the client_id', false)
    }
    const client = this.#config.clients.get(clientId)
    if (!client || client.isPublic) throw invalidClient('client authentication failed', false)
    this.#throttle(client)
    if (client.tokenEndpointAuthMethod !== 'private_key_jwt' || !client.jwks) {
      throw invalidClient('client authentication failed', false)
    }
    if (typeof header.alg !== 'string' || !ASYMMETRIC.includes(header.alg)) {
      this.#recordFailure(client)
      throw invalidClient('client_assertion must be signed with an asymmetric algorithm', false)
    }
    const now = this.#clock.now()
    let payload
    try {
      ;({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks as never), {
        issuer: clientId,
        subject: clientId,
        // rfc7523bis: the audience is the issuer identifier, nothing else.
        audience: this.#config.issuer,
        algorithms: ASYMMETRIC,
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp', 'jti'],
      }))
    } catch {
      this.#recordFailure(client)
      throw invalidClient('client_assertion failed verification', false)
    }
    if (Array.isArray(payload.aud) && payload.aud.length !== 1) {
      throw invalidClient('client_assertion aud must be the issuer alone', false)
    }
    if (payload.exp! - now > MAX_ASSERTION_LIFETIME) {
      throw invalidClient(
        `client_assertion exp is more than ${MAX_ASSERTION_LIFETIME} s away`,
        false,
      )
    }
    const jtiKey = `${clientId} ${payload.jti}`
    if (!this.#store.useAssertionId(jtiKey, payload.exp!)) {
      throw invalidClient('client_assertion jti replayed', false)
    }
    return client
  }

  /**
   * AS-6, RFC 6749 §2.3.1: a confidential client with {@link MAX_AUTH_FAILURES} failures in a
   * window is refused, the right secret included (otherwise the lock would not slow guessing),
   * until the window ends: at most {@link THROTTLE_WINDOW} seconds after its first failure.
   */
  #throttle(client: ResolvedClient): void {
    const now = this.#clock.now()
    const retry = this.#store.clientAuthFailures.retryAfter(client.clientId, MAX_AUTH_FAILURES, now)
    if (retry > 0) {
      throw new ProtocolError('invalid_client', 'too many failed attempts; retry later', 429, {
        'retry-after': String(retry),
      })
    }
  }

  /** Counts a wrong secret or a bad assertion of a registered confidential client. */
  #recordFailure(client: ResolvedClient): void {
    this.#store.clientAuthFailures.fail(client.clientId, THROTTLE_WINDOW, this.#clock.now())
  }
}
