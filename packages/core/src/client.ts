import { buildAuthorizationUrl } from './authorization-url.js'
import type { AuthorizationUrlParams } from './authorization-url.js'
import { authorizationCodeGrant } from './authorization-code-grant.js'
import type { AuthorizationCodeChecks } from './authorization-code-grant.js'
import type { ClientConfig } from './client-config.js'
import { clientCredentialsGrant } from './client-credentials-grant.js'
import type { ClientOptions, DiscoverOptions } from './client-options.js'
import { requestDeviceAuthorization } from './device-authorization.js'
import type { DeviceAuthorizationOptions } from './device-authorization.js'
import { buildEndSessionUrl } from './end-session-url.js'
import type { EndSessionUrlParams } from './end-session-url.js'
import { checkOptions, configure } from './internal/config.js'
import { createClientAuth, resolveAuthMethod } from './internal/client-auth.js'
import { checkedMetadata, discoverMetadata } from './internal/discovery.js'
import { introspectToken } from './introspect.js'
import type { TokenTypeHintOptions } from './introspect.js'
import { pollDeviceToken } from './poll-device-token.js'
import { pushAuthorizationRequest } from './push-authorization-request.js'
import { refreshGrant } from './refresh-grant.js'
import { revokeToken } from './revoke.js'
import type { TokenSet } from './token-set.js'
import type {
  DeviceAuthorization,
  IntrospectionResult,
  IssuerMetadata,
  RequestOptions,
  TokenRequestOptions,
  UserInfo,
} from './types.js'
import { fetchUserinfo } from './userinfo.js'
import type { UserinfoOptions } from './userinfo.js'

/** Options of `createAuthorizationUrl()`. */
export interface CreateAuthorizationUrlOptions {
  /** Use PAR even when the provider does not require it (it must advertise the endpoint). */
  par?: boolean | undefined
  signal?: AbortSignal | undefined
}

/** Where the provider lives and what it published. */
export interface IssuerInfo {
  /** The issuer identifier, exactly as the provider advertises it. */
  readonly identifier: string
  /** The discovery document. */
  readonly metadata: IssuerMetadata
}

/**
 * An OpenID Connect / OAuth 2 client of one provider: authorization URLs, every grant,
 * UserInfo, introspection, revocation and logout, with every response validated. A thin class
 * over the protocol functions (`discover()`, `authorizationCodeGrant()`, `refreshGrant()`…), for
 * servers and scripts; a browser app that imports only the functions it calls bundles less.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 * @see https://www.rfc-editor.org/rfc/rfc6749
 * @example
 * ```ts
 * import { Client, createPkce, randomNonce, randomState } from '@oidckit/core'
 *
 * const client = await Client.discover({
 *   issuer: 'http://localhost:9400',
 *   clientId: 'spa',
 *   redirectUri: 'http://localhost:5173/callback',
 * })
 * const pkce = await createPkce()
 * const state = randomState()
 * const nonce = randomNonce()
 * const url = client.authorizationUrl({ scope: 'openid email', state, nonce, codeChallenge: pkce.challenge })
 * // …after the redirect back:
 * const tokens = await client.authorizationCodeGrant(location.href, { state, nonce, codeVerifier: pkce.verifier })
 * ```
 */
export class Client<Claims extends object = object> {
  /** The provider's issuer identifier and metadata. */
  readonly issuer: IssuerInfo
  readonly clientId: string
  readonly redirectUri: string | undefined
  /** The frozen configuration the protocol functions (`refreshGrant()`…) take. */
  readonly config: ClientConfig

  private constructor(metadata: IssuerMetadata, options: ClientOptions) {
    const {
      clientSecret: _secret,
      privateKey: _key,
      tokenEndpointAuthMethod: _method,
      ...rest
    } = options
    const clientAuthentication = createClientAuth(resolveAuthMethod(options, metadata), options)
    this.config = configure(metadata, { ...rest, clientAuthentication })
    this.clientId = options.clientId
    this.redirectUri = options.redirectUri
    this.issuer = Object.freeze({ identifier: metadata.issuer, metadata })
  }

  /**
   * Discovers the provider at `issuer` (OIDC Discovery, `/.well-known/openid-configuration`) and
   * returns a client for it. Documents are cached per issuer for `cacheTtl`.
   *
   * @throws DiscoveryError `ERR_DISCOVERY_ISSUER_MISMATCH`, `ERR_DISCOVERY_INVALID`,
   *   `ERR_INSECURE_ENDPOINT`; NetworkError on transport failures; TypeError on bad options.
   * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
   * @example
   * ```ts
   * type MyClaims = { email: string; isAdmin: boolean }
   * const client = await Client.discover<MyClaims>({ issuer: 'https://id.example.com', clientId: 'app' })
   * ```
   */
  static async discover<Claims extends object = object>(
    options: DiscoverOptions,
  ): Promise<Client<Claims>> {
    checkOptions(options)
    return new Client<Claims>(await discoverMetadata(options), options)
  }

  /**
   * Builds a client from metadata you already have (a stored or hand-written discovery
   * document), with no network request. Endpoints are checked like discovered ones.
   *
   * @throws DiscoveryError `ERR_DISCOVERY_INVALID`, `ERR_INSECURE_ENDPOINT`; TypeError on bad options.
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
   * @example
   * ```ts
   * const client = Client.fromMetadata(
   *   { issuer: 'https://id.example.com', token_endpoint: 'https://id.example.com/token' },
   *   { clientId: 'service', clientSecret: 'secret' },
   * )
   * ```
   */
  static fromMetadata<Claims extends object = object>(
    metadata: IssuerMetadata,
    options: ClientOptions,
  ): Client<Claims> {
    checkOptions(options)
    return new Client<Claims>(checkedMetadata(metadata, options.allowInsecure === true), options)
  }

  /**
   * The authorization endpoint URL for the code flow with PKCE (`response_type=code`,
   * `code_challenge_method=S256`). Synchronous; when the provider requires PAR use
   * `createAuthorizationUrl()`.
   *
   * @throws TypeError when `state` or `codeChallenge` is missing, `nonce` is missing for an
   *   `openid` scope, or the provider requires pushed authorization requests.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
   * @example
   * ```ts
   * const url = client.authorizationUrl({ scope: 'openid email', state, nonce, codeChallenge: pkce.challenge, prompt: 'login' })
   * location.assign(url)
   * ```
   */
  authorizationUrl(params: AuthorizationUrlParams): URL {
    return buildAuthorizationUrl(this.config, params)
  }

  /**
   * Like `authorizationUrl()`, but asynchronous: it pushes the request (PAR, RFC 9126) when the
   * provider requires it or `options.par` is set, and returns the short `request_uri` URL.
   *
   * @throws OAuthError when the PAR endpoint refuses; NetworkError; TypeError like `authorizationUrl()`.
   * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
   * @example
   * ```ts
   * const url = await client.createAuthorizationUrl({ scope: 'openid', state, nonce, codeChallenge: pkce.challenge })
   * ```
   */
  async createAuthorizationUrl(
    params: AuthorizationUrlParams,
    options?: CreateAuthorizationUrlOptions,
  ): Promise<URL> {
    const usePar =
      this.config.metadata.require_pushed_authorization_requests === true || options?.par === true
    if (!usePar) return this.authorizationUrl(params)
    return pushAuthorizationRequest(this.config, params, options)
  }

  /**
   * Completes the code flow: validates the callback (RFC 9207 `iss`, `state`, `?error=`),
   * redeems the code with the PKCE verifier, and validates the ID token: signature against the
   * issuer's JWKS, `iss`, `aud`, `azp`, `exp`, `iat`, `nbf`, `nonce`, `at_hash`, `auth_time`.
   *
   * @throws OAuthError `ERR_AUTHORIZATION_RESPONSE` (callback `?error=`), `ERR_OAUTH_RESPONSE`;
   *   TokenValidationError (`claim` says which check); NetworkError; DiscoveryError.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
   * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
   * @example
   * ```ts
   * const tokens = await client.authorizationCodeGrant(location.href, { state, nonce, codeVerifier: pkce.verifier })
   * console.log(tokens.claims()?.sub)
   * ```
   */
  authorizationCodeGrant(
    callback: string | URL | URLSearchParams,
    checks: AuthorizationCodeChecks,
  ): Promise<TokenSet<Claims>> {
    return authorizationCodeGrant<Claims>(this.config, callback, checks)
  }

  /**
   * Refreshes tokens. Given the previous `TokenSet`, a new ID token must describe the same
   * authentication (RP-5), and the refresh token and ID token are carried over when the
   * response omits them.
   *
   * @throws OAuthError (`invalid_grant`: sign in again); TokenValidationError; NetworkError.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   * @example
   * ```ts
   * tokens = await client.refresh(tokens)
   * ```
   */
  refresh(
    refreshToken: string | TokenSet<Claims>,
    options?: TokenRequestOptions,
  ): Promise<TokenSet<Claims>> {
    return refreshGrant<Claims>(this.config, refreshToken, options)
  }

  /**
   * Gets a token for the client itself (client credentials grant), for a `scope` and RFC 8707
   * `resource`.
   *
   * @throws OAuthError (`invalid_client`, `invalid_scope`); NetworkError.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
   * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
   * @example
   * ```ts
   * const { accessToken } = await client.clientCredentials({ scope: 'api:read', resource: 'https://api.example.com' })
   * ```
   */
  clientCredentials(options?: TokenRequestOptions): Promise<TokenSet<Claims>> {
    return clientCredentialsGrant<Claims>(this.config, options)
  }

  /**
   * Starts the device authorization grant: returns the `userCode` and `verificationUri` to show
   * the user. Then call `pollDeviceToken()`.
   *
   * @throws OAuthError; DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED`; NetworkError.
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
   * @example
   * ```ts
   * const device = await client.deviceAuthorization({ scope: 'openid offline_access' })
   * console.log(`Open ${device.verificationUri} and enter ${device.userCode}`)
   * ```
   */
  deviceAuthorization(options?: DeviceAuthorizationOptions): Promise<DeviceAuthorization> {
    return requestDeviceAuthorization(this.config, options)
  }

  /**
   * Polls the token endpoint until the user approves the device: waits `interval` before each
   * poll, keeps polling on `authorization_pending`, adds 5 s on `slow_down` for this and every
   * later poll, and stops when the code expires.
   *
   * @throws OAuthError `access_denied` / `expired_token` (or `ERR_DEVICE_CODE_EXPIRED` when
   *   `expiresIn` ran out locally); NetworkError `ERR_ABORTED` at once when `signal` fires.
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
   * @example
   * ```ts
   * const tokens = await client.pollDeviceToken(device, { signal: AbortSignal.timeout(600_000) })
   * ```
   */
  pollDeviceToken(
    device: DeviceAuthorization,
    options?: RequestOptions,
  ): Promise<TokenSet<Claims>> {
    return pollDeviceToken<Claims>(this.config, device, options)
  }

  /**
   * Fetches the UserInfo claims. With a `TokenSet`, the response's `sub` must equal its ID
   * token's (RP-6); with a bare access token pass `expectedSubject`.
   *
   * @throws TokenValidationError `ERR_USERINFO_SUBJECT_MISMATCH`; OAuthError (`invalid_token`);
   *   NetworkError; TypeError when there is no subject to check against.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   * @example
   * ```ts
   * const info = await client.userinfo(tokens)
   * const same = await client.userinfo(tokens.accessToken, { expectedSubject: tokens.claims()!.sub })
   * ```
   */
  userinfo(
    tokens: TokenSet<Claims> | string,
    options?: UserinfoOptions,
  ): Promise<UserInfo<Claims>> {
    return fetchUserinfo<Claims>(this.config, tokens, options)
  }

  /**
   * Asks the provider whether a token is active (RFC 7662), authenticating as this client.
   *
   * @throws OAuthError; DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED`; NetworkError.
   * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
   * @example
   * ```ts
   * const { active, scope } = await client.introspect(token, { tokenTypeHint: 'access_token' })
   * ```
   */
  introspect(token: string, options?: TokenTypeHintOptions): Promise<IntrospectionResult> {
    return introspectToken(this.config, token, options)
  }

  /**
   * Revokes a token (RFC 7009). Resolves for an unknown token too, as the server answers 200.
   *
   * @throws OAuthError; DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED`; NetworkError
   *   (`ERR_SERVER_ERROR` on 503: the token may still be valid, retry).
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
   * @example
   * ```ts
   * await client.revoke(tokens.refreshToken!, { tokenTypeHint: 'refresh_token' })
   * ```
   */
  revoke(token: string, options?: TokenTypeHintOptions): Promise<void> {
    return revokeToken(this.config, token, options)
  }

  /**
   * The RP-initiated logout URL (`end_session_endpoint`) with `id_token_hint`,
   * `post_logout_redirect_uri`, `state` and `client_id`.
   *
   * @throws DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED` when the provider has no end session endpoint.
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
   * @example
   * ```ts
   * location.assign(client.endSessionUrl({ idTokenHint: tokens.idToken, postLogoutRedirectUri: 'http://localhost:5173/', state }))
   * ```
   */
  endSessionUrl(params?: EndSessionUrlParams): URL {
    return buildEndSessionUrl(this.config, params)
  }
}
