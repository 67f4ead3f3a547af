import type * as oauth from 'oauth4webapi'

/**
 * The provider's discovery metadata (OIDC Discovery §3, RFC 8414 §2), exactly as it published it.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @example
 * ```ts
 * const metadata: IssuerMetadata = client.issuer.metadata
 * console.log(metadata.token_endpoint)
 * ```
 */
export type IssuerMetadata = oauth.AuthorizationServer

/**
 * The registered claims of a validated ID token (OIDC Core §2). Your own claims are added with the
 * `Claims` type parameter of `Client.discover<Claims>()`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @example
 * ```ts
 * const claims: IdTokenClaims | undefined = tokens.claims()
 * console.log(claims?.sub)
 * ```
 */
export interface IdTokenClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string | string[]
  readonly exp: number
  readonly iat: number
  readonly nbf?: number
  readonly nonce?: string
  readonly auth_time?: number
  readonly azp?: string
  readonly at_hash?: string
  readonly acr?: string
  readonly amr?: string[]
  readonly sid?: string
  readonly [claim: string]: unknown
}

/**
 * What `userinfo()` returns: `sub` plus the claims the provider releases, typed with your
 * `Claims` (all optional: a provider releases claims by scope).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @example
 * ```ts
 * const info: UserInfo<{ email: string }> = await client.userinfo(tokens)
 * console.log(info.sub, info.email)
 * ```
 */
export type UserInfo<Claims extends object = Record<string, unknown>> = {
  readonly sub: string
  readonly [claim: string]: unknown
} & Partial<Omit<Claims, 'sub'>>

/**
 * An RFC 8628 device authorization response, camel-cased, with the instant it expires.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 * @example
 * ```ts
 * const device: DeviceAuthorization = await client.deviceAuthorization({ scope: 'openid' })
 * console.log(`Open ${device.verificationUri} and enter ${device.userCode}`)
 * ```
 */
export interface DeviceAuthorization {
  /** The code the device polls with; never show it to the user (RFC 8628 §5.6). */
  readonly deviceCode: string
  /** The code the user types at `verificationUri`. */
  readonly userCode: string
  readonly verificationUri: string
  readonly verificationUriComplete?: string | undefined
  /** Lifetime of the codes in seconds. */
  readonly expiresIn: number
  /** Seconds since the epoch, from the client's clock, after which polling stops. */
  readonly expiresAt: number
  /** Minimum seconds between polls (default 5, RFC 8628 §3.5). */
  readonly interval: number
}

/**
 * An RFC 7662 token introspection response.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @example
 * ```ts
 * const result: IntrospectionResult = await client.introspect(token)
 * if (!result.active) throw new Error('revoked')
 * ```
 */
export type IntrospectionResult = oauth.IntrospectionResponse

/** An RFC 7009 / RFC 7662 `token_type_hint`. */
export type TokenTypeHint = 'access_token' | 'refresh_token' | (string & {})

/** The client authentication methods core supports at the token endpoint (RFC 8414 §2). */
export type TokenEndpointAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/** A private key for `private_key_jwt`: a `CryptoKey`, a private JWK, or a key with its `kid`. */
export type ClientPrivateKey =
  CryptoKey | JsonWebKey | (JsonWebKey & { kid?: string }) | { key: CryptoKey; kid?: string }

/**
 * What core calls to make a request: anything that takes one `Request` and resolves to a
 * `Response`. The global `fetch` fits, and so does a `(Request) => Response` server handler.
 *
 * @see https://fetch.spec.whatwg.org/#fetch-method
 * @example
 * ```ts
 * const logged: FetchLike = (request) => {
 *   console.log(request.method, request.url)
 *   return fetch(request)
 * }
 * ```
 */
export type FetchLike = (request: Request) => Promise<Response>

/**
 * How a client authenticates to the token, PAR, device, introspection and revocation endpoints:
 * made by `createClientAuthentication()` and passed as `clientAuthentication`. It adds the
 * credentials to a request's body or headers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 * @example
 * ```ts
 * const auth: ClientAuthentication = createClientAuthentication({ clientSecret: 'web-app-secret' })
 * ```
 */
export type ClientAuthentication = oauth.ClientAuth

/**
 * Options of every network call.
 *
 * @example
 * ```ts
 * const options: RequestOptions = { signal: AbortSignal.timeout(5_000) }
 * ```
 */
export interface RequestOptions {
  /** Aborts the call; it rejects with `NetworkError` `ERR_ABORTED`. */
  signal?: AbortSignal | undefined
}

/**
 * Options of the grants that take a `scope` and RFC 8707 `resource`: refresh and client
 * credentials.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @example
 * ```ts
 * const options: TokenRequestOptions = { scope: 'api:read', resource: 'https://api.example.com' }
 * ```
 */
export interface TokenRequestOptions extends RequestOptions {
  /** Space-separated scopes; on a refresh, no wider than those granted. */
  scope?: string | undefined
  /** RFC 8707 resource indicators. */
  resource?: string | string[] | undefined
}
