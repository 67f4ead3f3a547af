/** Grant types mock-idp implements; implicit and password are refused (S-8). */
export type GrantType =
  | 'authorization_code'
  | 'refresh_token'
  | 'client_credentials'
  | 'urn:ietf:params:oauth:grant-type:device_code'

/** How a client authenticates at the token, introspection, revocation and device endpoints. */
export type ClientAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/** The token signature algorithm: RS256 (the default) or ES256. */
export type SigningAlg = 'RS256' | 'ES256'

/**
 * A registered client (RFC 7591 §2 metadata in camelCase).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @example
 * const spa: MockIdpClient = {
 *   clientId: 'spa',
 *   tokenEndpointAuthMethod: 'none',
 *   redirectUris: ['http://localhost:5173/callback'],
 * }
 */
export interface MockIdpClient {
  clientId: string
  /** Human-readable name shown on the login and device pages. */
  name?: string
  /** Confidential clients only; public clients are never given a secret (AS-6). */
  clientSecret?: string
  /** Defaults to `client_secret_basic` with a secret, `private_key_jwt` with `jwks`, else `none`. */
  tokenEndpointAuthMethod?: ClientAuthMethod
  /** Public keys for `private_key_jwt`. */
  jwks?: { keys: Record<string, unknown>[] }
  redirectUris?: string[]
  postLogoutRedirectUris?: string[]
  /** Defaults by shape: code + refresh with redirect URIs, client_credentials when confidential, else device. */
  grantTypes?: GrantType[]
  /** Space-separated scopes beyond the OpenID ones this client may request; the client-credentials default. */
  scope?: string
  /** Access-token `aud` when no `resource` is sent; defaults to the client_id. */
  audience?: string
  /** RFC 8707 resources the client may ask for; any absolute URI when absent. */
  resources?: string[]
  /** Origins allowed for CORS; defaults to the origins of the redirect URIs. */
  webOrigins?: string[]
  /** PKCE is required for every client unless this is `false` (AS-3). */
  requirePkce?: boolean
  /** `native` clients may vary the port of loopback IP redirect URIs (RFC 8252 §7.3). */
  applicationType?: 'web' | 'native'
  /** Username whose `sub` and claims client-credentials tokens carry; the client_id otherwise. */
  serviceAccount?: string
  /**
   * Where mock-idp POSTs a logout token when a session this client signed in to ends (OpenID
   * Connect Back-Channel Logout 1.0): https, or http on a loopback host.
   */
  backchannelLogoutUri?: string
  /** Whether the client needs `sid` in logout tokens; default `true` (mock-idp always sends it). */
  backchannelLogoutSessionRequired?: boolean
}

/**
 * A user who can sign in. `claims` go into the ID token and userinfo by scope (standard claims)
 * or always (Hanzo-style `owner`, `name`, `displayName`, `isAdmin`, `type`).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 * @example
 * const alice: MockIdpUser = {
 *   sub: 'user-alice',
 *   username: 'alice',
 *   password: 'alice-password',
 *   claims: { email: 'alice@example.com', email_verified: true, name: 'Alice Liddell' },
 * }
 */
export interface MockIdpUser {
  sub: string
  username: string
  password: string
  claims?: Record<string, unknown>
}

/**
 * Where `--data-dir` (or your own store) keeps keys and state between restarts. `save` must be
 * atomic: a crash leaves the old or the new document, never half of one.
 *
 * @example
 * const memory = new Map<string, string>()
 * const storage: MockIdpStorage = {
 *   load: async (name) => memory.get(name),
 *   save: async (name, data) => void memory.set(name, data),
 * }
 */
export interface MockIdpStorage {
  load(name: string): Promise<string | undefined>
  save(name: string, data: string): Promise<void>
}

/**
 * Everything `createMockIdp()` takes; the same object a `--config` JSON file holds. Every field
 * is optional: the bare config serves the demo clients and users.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 * @example
 * const config: MockIdpConfig = { issuer: 'http://localhost:9400', accessTokenTtl: 600 }
 */
export interface MockIdpConfig {
  /** No trailing slash; default `http://localhost:9400` (replaced by the listening URL in `listen()` when not set). */
  issuer?: string
  clients?: MockIdpClient[]
  users?: MockIdpUser[]
  /** Seconds; default 3600. */
  accessTokenTtl?: number
  /** Seconds; default 3600. */
  idTokenTtl?: number
  /** Absolute refresh-token lifetime in seconds, never extended by rotation; default 30 days. */
  refreshTokenTtl?: number
  /** Refresh tokens unused this long expire; default 7 days. */
  refreshTokenIdleTtl?: number
  /** IdP browser session lifetime in seconds; default 8 hours. */
  sessionTtl?: number
  /** Device codes; default 600 seconds. */
  deviceCodeTtl?: number
  /** Minimum device polling interval in seconds; default 5. */
  deviceCodeInterval?: number
  /** How long a rotated-out public key stays in the JWKS, in seconds; default 86400. */
  keyRotationGrace?: number
  signingAlg?: SigningAlg
  /** Skip the login form: `true` signs in the `login_hint` user or the first user; a username signs in that user. */
  autoLogin?: boolean | string
  /** Serve the `/_mock/` control API (the CLI turns it on). */
  controlApi?: boolean
  /**
   * Required as `Authorization: Bearer <adminToken>` by every HTTP caller of the control API
   * (`idp.fetch` needs none); the CLI generates one. Without it, loopback callers need none.
   */
  adminToken?: string
  /** Allow plain-http redirect URIs on hosts other than loopback (a named, lenient opt-in). */
  allowHttpRedirectUris?: boolean
  /** Persist keys and state (the CLI's `--data-dir` uses files). */
  storage?: MockIdpStorage
  /**
   * What mock-idp sends its own requests with (back-channel logout deliveries); default the
   * global `fetch`. Library only: pass a relying party's handler to deliver in-process.
   */
  fetch?: typeof fetch
}
