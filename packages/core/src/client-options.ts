import type {
  ClientAuthentication,
  ClientPrivateKey,
  FetchLike,
  TokenEndpointAuthMethod,
} from './types.js'

/**
 * How a {@link Client} identifies itself and talks to the provider. Durations of our own timers
 * (`timeout`, `cacheTtl`) are milliseconds; token-time values (`clockTolerance`) are seconds,
 * like the JWT claims they apply to.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @example
 * ```ts
 * const options: ClientOptions = { clientId: 'web-app', clientSecret: 'web-app-secret' }
 * ```
 */
export interface ClientOptions {
  /** The registered `client_id`. */
  clientId: string
  /** The client secret of a confidential client (`client_secret_basic` / `_post`). */
  clientSecret?: string | undefined
  /** The private key for `private_key_jwt`: a `CryptoKey`, a private JWK (with `kid`), or `{ key, kid }`. */
  privateKey?: ClientPrivateKey | undefined
  /**
   * Defaults to `private_key_jwt` with a key, `client_secret_basic` with a secret (or `_post`
   * when the provider only advertises that), else `none`.
   */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined
  /** The default `redirect_uri` of authorization requests and code exchanges. */
  redirectUri?: string | undefined
  /**
   * The fetch to use, called with one `Request`: the global `fetch`, a wrapper, or a provider's
   * `(Request) => Response` handler such as mock-idp's `idp.fetch`. Defaults to the global `fetch`.
   */
  fetch?: FetchLike | undefined
  /** Seconds of clock difference tolerated on `exp`, `iat`, `nbf`, `auth_time`. Default 30. */
  clockTolerance?: number | undefined
  /** Milliseconds since the epoch; defaults to `Date.now`. Sets `expiresAt` and token-time checks. */
  clock?: (() => number) | undefined
  /** Milliseconds before any request (headers and body) is abandoned. Default 10 000. */
  timeout?: number | undefined
  /** Largest response body read, in bytes. Default 1 MiB. */
  maxResponseBytes?: number | undefined
  /** Allow `http:` issuers and endpoints on non-loopback hosts. For local development only. */
  allowInsecure?: boolean | undefined
  /**
   * The ID token `alg` this client was registered for (`id_token_signed_response_alg`).
   * Default `RS256`; only asymmetric algorithms are accepted (RP-2).
   */
  idTokenSigningAlg?: string | undefined
}

/**
 * Options of `Client.discover()`: the client's options plus where and how to discover.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @example
 * ```ts
 * const options: DiscoverOptions = { issuer: 'https://id.example.com', clientId: 'spa' }
 * ```
 */
export interface DiscoverOptions extends ClientOptions {
  /** The issuer identifier; `http:` only on loopback hosts unless `allowInsecure`. */
  issuer: string | URL
  /** Milliseconds a discovered document is reused. Default 10 minutes. */
  cacheTtl?: number | undefined
  /** Fetch the document again even when a fresh one is cached. */
  forceRefresh?: boolean | undefined
}

/**
 * The credentials of a confidential client, for `createClientAuthentication()`: a secret, a
 * private key, and the method to use them with.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 * @example
 * ```ts
 * const credentials: ClientAuthenticationOptions = { clientSecret: 'web-app-secret' }
 * ```
 */
export type ClientAuthenticationOptions = Pick<
  ClientOptions,
  'clientSecret' | 'privateKey' | 'tokenEndpointAuthMethod'
>

/**
 * Options of `createClientConfig()`: those of a {@link Client} with the credentials replaced by
 * a `clientAuthentication`, so a public client's bundle carries no other authentication method.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @example
 * ```ts
 * const options: ClientConfigOptions = {
 *   clientId: 'web-app',
 *   clientAuthentication: createClientAuthentication({ clientSecret: 'web-app-secret' }),
 * }
 * ```
 */
export interface ClientConfigOptions extends Omit<
  ClientOptions,
  'clientSecret' | 'privateKey' | 'tokenEndpointAuthMethod'
> {
  /** How the client authenticates to the provider; default none (a public client). */
  clientAuthentication?: ClientAuthentication | undefined
}

/**
 * Options of `discover()`: the configuration's options plus where and how to discover.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @example
 * ```ts
 * const options: DiscoverConfigOptions = { issuer: 'https://id.example.com', clientId: 'spa' }
 * ```
 */
export interface DiscoverConfigOptions extends ClientConfigOptions {
  /** The issuer identifier; `http:` only on loopback hosts unless `allowInsecure`. */
  issuer: string | URL
  /** Milliseconds a discovered document is reused. Default 10 minutes. */
  cacheTtl?: number | undefined
  /** Fetch the document again even when a fresh one is cached. */
  forceRefresh?: boolean | undefined
}
