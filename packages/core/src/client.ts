import * as oauth from 'oauth4webapi'
import type { ClientOptions, DiscoverOptions } from './client-options.js'
import { isCompactJws } from './compact-jws.js'
import { DiscoveryError, OAuthError, TokenValidationError } from './errors.js'
import {
  argumentError,
  assertNonNegativeNumber,
  assertOptionalString,
  assertString,
  isObject,
} from './internal/assert.js'
import { createClientAuth, resolveAuthMethod } from './internal/client-auth.js'
import {
  DEFAULT_CACHE_TTL,
  cachedMetadata,
  checkMetadata,
  fetchMetadata,
  isLoopbackHost,
  parseIssuer,
} from './internal/discovery.js'
import { withHint } from './internal/hints.js'
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, createHttp } from './internal/http.js'
import type { CustomFetch } from './internal/http.js'
import { checkAccessTokenHash, checkIssuedAt, checkRefreshedIdToken } from './internal/id-token.js'
import { mapError, mapErrorWithBody } from './internal/map-error.js'
import type { Stage } from './internal/map-error.js'
import { addSecret } from './internal/secrets.js'
import { abortedError, sleep } from './internal/sleep.js'
import { TokenSet } from './token-set.js'
import type {
  DeviceAuthorization,
  IdTokenClaims,
  IntrospectionResult,
  IssuerMetadata,
  TokenTypeHint,
  UserInfo,
} from './types.js'

/** Parameters of an authorization request; extra parameters (`prompt`, `login_hint`…) pass through. */
export interface AuthorizationUrlParams {
  /** Space-separated scopes. Default `openid`. */
  scope?: string | undefined
  /** From `randomState()`; always required (C-1). */
  state: string
  /** From `randomNonce()`; required when `scope` includes `openid`. */
  nonce?: string | undefined
  /** `createPkce().challenge`; always required (C-4). */
  codeChallenge: string
  /** Overrides the client's `redirectUri`. */
  redirectUri?: string | undefined
  /** Extra authorization request parameters, sent as given. */
  [parameter: string]: string | undefined
}

/** Options of `createAuthorizationUrl()`. */
export interface CreateAuthorizationUrlOptions {
  /** Use PAR even when the provider does not require it (it must advertise the endpoint). */
  par?: boolean | undefined
  signal?: AbortSignal | undefined
}

/** The checks an authorization response is validated against. */
export interface AuthorizationCodeChecks {
  /** The `state` sent with the authorization request. */
  state: string
  /** The `code_verifier` (`createPkce().verifier`). */
  codeVerifier: string
  /** The `nonce` sent; when given, an ID token with that nonce is required. */
  nonce?: string | undefined
  /** The `max_age` sent, in seconds; `auth_time` is then required and checked. */
  maxAge?: number | undefined
  /** The `redirect_uri` sent, when not the client's default. */
  redirectUri?: string | undefined
  signal?: AbortSignal | undefined
}

/** Options of every network call. */
export interface RequestOptions {
  /** Aborts the call; it rejects with `NetworkError` `ERR_ABORTED`. */
  signal?: AbortSignal | undefined
}

/** Where the provider lives and what it published. */
export interface IssuerInfo {
  /** The issuer identifier, exactly as the provider advertises it. */
  readonly identifier: string
  /** The discovery document. */
  readonly metadata: IssuerMetadata
}

const reservedAuthorizationParams = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'request_uri',
])

/**
 * An OpenID Connect / OAuth 2 client of one provider: authorization URLs, every grant,
 * UserInfo, introspection, revocation and logout, with every response validated.
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
  readonly #as: IssuerMetadata
  readonly #options: ClientOptions
  readonly #auth: oauth.ClientAuth
  readonly #clock: () => number
  readonly #tolerance: number
  readonly #insecure: boolean

  private constructor(metadata: IssuerMetadata, options: ClientOptions, insecure: boolean) {
    this.#as = metadata
    this.#options = options
    this.#insecure = insecure
    this.#clock = options.clock ?? (() => Date.now())
    this.#tolerance = options.clockTolerance ?? 30
    this.clientId = options.clientId
    this.redirectUri = options.redirectUri
    this.issuer = Object.freeze({ identifier: metadata.issuer, metadata })
    this.#auth = createClientAuth(resolveAuthMethod(options, metadata), options)
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
    assertNonNegativeNumber(options.cacheTtl, '`cacheTtl`')
    const allowInsecure = options.allowInsecure === true
    const issuer = parseIssuer(options.issuer, allowInsecure)
    const allowHttp = httpPolicy(issuer, allowInsecure)
    const http = createHttp(transport(options))
    const metadata = await cachedMetadata(
      {
        fetch: options.fetch,
        issuer,
        now: (options.clock ?? (() => Date.now()))(),
        ttl: options.cacheTtl ?? DEFAULT_CACHE_TTL,
        forceRefresh: options.forceRefresh === true,
      },
      () => fetchMetadata(issuer, String(options.issuer), http, allowHttp),
    )
    return new Client<Claims>(metadata, options, issuer.protocol === 'http:' || allowInsecure)
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
    if (!isObject(metadata)) {
      throw argumentError('ERR_INVALID_ARG_TYPE', '`metadata` must be a discovery document object.')
    }
    const allowInsecure = options.allowInsecure === true
    const issuer = parseIssuer(metadata.issuer, allowInsecure)
    checkMetadata(metadata, metadata.issuer, httpPolicy(issuer, allowInsecure))
    return new Client<Claims>(
      Object.freeze({ ...metadata }),
      options,
      issuer.protocol === 'http:' || allowInsecure,
    )
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
    if (this.#as.require_pushed_authorization_requests === true) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        withHint(
          'This provider requires pushed authorization requests (require_pushed_authorization_requests).',
          'par',
        ),
      )
    }
    const url = this.#endpoint('authorization_endpoint')
    for (const [key, value] of this.#authorizationParams(params)) url.searchParams.set(key, value)
    return url
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
    const usePar = this.#as.require_pushed_authorization_requests === true || options?.par === true
    if (!usePar) return this.authorizationUrl(params)
    const parameters = this.#authorizationParams(params)
    const url = this.#endpoint('authorization_endpoint')
    const result = await this.#call('par', options?.signal, async (req, client) => {
      const response = await oauth.pushedAuthorizationRequest(
        this.#as,
        client,
        this.#auth,
        parameters,
        req,
      )
      return oauth.processPushedAuthorizationResponse(this.#as, client, response)
    })
    url.searchParams.set('client_id', this.clientId)
    url.searchParams.set('request_uri', result.request_uri)
    return url
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
  async authorizationCodeGrant(
    callback: string | URL | URLSearchParams,
    checks: AuthorizationCodeChecks,
  ): Promise<TokenSet<Claims>> {
    if (!isObject(checks)) {
      throw argumentError(
        'ERR_INVALID_ARG_TYPE',
        'authorizationCodeGrant() needs { state, codeVerifier, nonce? }.',
      )
    }
    assertString(checks.state, '`state`')
    assertString(checks.codeVerifier, '`codeVerifier`')
    assertOptionalString(checks.nonce, '`nonce`')
    assertNonNegativeNumber(checks.maxAge, '`maxAge`')
    const redirectUri = checks.redirectUri ?? this.redirectUri
    assertString(redirectUri, '`redirectUri` (in the checks or the client options)')
    const parameters = callbackParameters(callback)
    let validated: URLSearchParams
    try {
      validated = oauth.validateAuthResponse(this.#as, this.#client(), parameters, checks.state)
    } catch (err) {
      const secrets = new Set<string>()
      addSecret(secrets, parameters.get('code'))
      addSecret(secrets, checks.codeVerifier)
      throw mapError(err, 'callback', secrets)
    }
    return this.#call('token', checks.signal, async (req, client) => {
      const response = await oauth.authorizationCodeGrantRequest(
        this.#as,
        client,
        this.#auth,
        validated,
        redirectUri,
        checks.codeVerifier,
        req,
      )
      const result = await oauth.processAuthorizationCodeResponse(this.#as, client, response, {
        expectedNonce: checks.nonce,
        maxAge: checks.maxAge,
      })
      return this.#tokenSet(response, result, req)
    })
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
  async refresh(
    refreshToken: string | TokenSet<Claims>,
    options?: RequestOptions & {
      scope?: string | undefined
      resource?: string | string[] | undefined
    },
  ): Promise<TokenSet<Claims>> {
    const previous = refreshToken instanceof TokenSet ? refreshToken : undefined
    const token = previous ? previous.refreshToken : refreshToken
    assertString(
      token,
      previous ? 'The TokenSet has no refresh token; its `refreshToken`' : '`refreshToken`',
    )
    const additionalParameters = extraParameters(options?.scope, options?.resource)
    return this.#call('token', options?.signal, async (req, client) => {
      const response = await oauth.refreshTokenGrantRequest(this.#as, client, this.#auth, token, {
        ...req,
        additionalParameters,
      })
      const result = await oauth.processRefreshTokenResponse(this.#as, client, response)
      return this.#tokenSet(response, result, req, previous)
    })
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
  async clientCredentials(
    options?: RequestOptions & {
      scope?: string | undefined
      resource?: string | string[] | undefined
    },
  ): Promise<TokenSet<Claims>> {
    const parameters = extraParameters(options?.scope, options?.resource)
    return this.#call('token', options?.signal, async (req, client) => {
      const response = await oauth.clientCredentialsGrantRequest(
        this.#as,
        client,
        this.#auth,
        parameters,
        req,
      )
      const result = await oauth.processClientCredentialsResponse(this.#as, client, response)
      return this.#tokenSet(response, result, req)
    })
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
  async deviceAuthorization(
    options?: RequestOptions & { scope?: string | undefined; [parameter: string]: unknown },
  ): Promise<DeviceAuthorization> {
    const parameters = new URLSearchParams()
    for (const [key, value] of Object.entries(options ?? {})) {
      if (key !== 'signal' && typeof value === 'string') parameters.set(key, value)
    }
    return this.#call('device', options?.signal, async (req, client) => {
      const response = await oauth.deviceAuthorizationRequest(
        this.#as,
        client,
        this.#auth,
        parameters,
        req,
      )
      const result = await oauth.processDeviceAuthorizationResponse(this.#as, client, response)
      return {
        deviceCode: result.device_code,
        userCode: result.user_code,
        verificationUri: result.verification_uri,
        verificationUriComplete: result.verification_uri_complete,
        expiresIn: result.expires_in,
        expiresAt: Math.floor(this.#clock() / 1000) + result.expires_in,
        interval: result.interval ?? 5,
      }
    })
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
  async pollDeviceToken(
    device: DeviceAuthorization,
    options?: RequestOptions,
  ): Promise<TokenSet<Claims>> {
    if (!isObject(device)) {
      throw argumentError(
        'ERR_INVALID_ARG_TYPE',
        'pollDeviceToken() needs the result of deviceAuthorization().',
      )
    }
    assertString(device.deviceCode, '`device.deviceCode`')
    const signal = options?.signal
    let interval = typeof device.interval === 'number' && device.interval >= 0 ? device.interval : 5
    for (;;) {
      await sleep(interval * 1000, signal)
      if (this.#clock() / 1000 >= device.expiresAt) {
        throw new OAuthError(
          'ERR_DEVICE_CODE_EXPIRED',
          withHint('The device code expired before the user approved it.', 'deviceExpired'),
          { error: 'expired_token' },
        )
      }
      try {
        return await this.#call('device', signal, async (req, client) => {
          const response = await oauth.deviceCodeGrantRequest(
            this.#as,
            client,
            this.#auth,
            device.deviceCode,
            req,
          )
          const result = await oauth.processDeviceCodeResponse(this.#as, client, response)
          return this.#tokenSet(response, result, req)
        })
      } catch (err) {
        if (signal?.aborted) throw abortedError(signal)
        if (err instanceof OAuthError && err.error === 'authorization_pending') continue
        // RFC 8628 §3.5: slow_down adds 5 s to this and every later interval.
        if (err instanceof OAuthError && err.error === 'slow_down') {
          interval += 5
          continue
        }
        throw err
      }
    }
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
  async userinfo(
    tokens: TokenSet<Claims> | string,
    options?: RequestOptions & { expectedSubject?: string | undefined },
  ): Promise<UserInfo<Claims>> {
    const accessToken = tokens instanceof TokenSet ? tokens.accessToken : tokens
    assertString(accessToken, '`accessToken`')
    const expected =
      options?.expectedSubject ?? (tokens instanceof TokenSet ? tokens.claims()?.sub : undefined)
    if (typeof expected !== 'string' || expected === '') {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        'userinfo() needs a subject to check the response against (RP-6): pass a TokenSet with an ID token, or `{ expectedSubject }`.',
      )
    }
    return this.#call('userinfo', options?.signal, async (req, client) => {
      const response = await oauth.userInfoRequest(this.#as, client, accessToken, req)
      const signed = response.headers.get('content-type')?.startsWith('application/jwt') === true
      const result = await oauth.processUserInfoResponse(this.#as, client, expected, response)
      if (signed) await oauth.validateApplicationLevelSignature(this.#as, response, req)
      return result as unknown as UserInfo<Claims>
    })
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
  async introspect(
    token: string,
    options?: RequestOptions & { tokenTypeHint?: TokenTypeHint | undefined },
  ): Promise<IntrospectionResult> {
    assertString(token, '`token`')
    return this.#call('introspection', options?.signal, async (req, client) => {
      const response = await oauth.introspectionRequest(this.#as, client, this.#auth, token, {
        ...req,
        additionalParameters: hint(options?.tokenTypeHint),
      })
      return oauth.processIntrospectionResponse(this.#as, client, response)
    })
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
  async revoke(
    token: string,
    options?: RequestOptions & { tokenTypeHint?: TokenTypeHint | undefined },
  ): Promise<void> {
    assertString(token, '`token`')
    await this.#call('revocation', options?.signal, async (req, client) => {
      const response = await oauth.revocationRequest(this.#as, client, this.#auth, token, {
        ...req,
        additionalParameters: hint(options?.tokenTypeHint),
      })
      await oauth.processRevocationResponse(response)
    })
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
  endSessionUrl(params?: {
    idTokenHint?: string | TokenSet<Claims> | undefined
    postLogoutRedirectUri?: string | undefined
    state?: string | undefined
    [parameter: string]: unknown
  }): URL {
    const url = this.#endpoint('end_session_endpoint')
    const { idTokenHint, postLogoutRedirectUri, state, ...extra } = params ?? {}
    const hintValue = idTokenHint instanceof TokenSet ? idTokenHint.idToken : idTokenHint
    assertOptionalString(hintValue, '`idTokenHint`')
    assertOptionalString(postLogoutRedirectUri, '`postLogoutRedirectUri`')
    assertOptionalString(state, '`state`')
    url.searchParams.set('client_id', this.clientId)
    if (hintValue) url.searchParams.set('id_token_hint', hintValue)
    if (postLogoutRedirectUri)
      url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri)
    if (state) url.searchParams.set('state', state)
    for (const [key, value] of Object.entries(extra)) {
      if (typeof value === 'string') url.searchParams.set(key, value)
    }
    return url
  }

  #endpoint(name: 'authorization_endpoint' | 'end_session_endpoint'): URL {
    const value = this.#as[name]
    if (typeof value !== 'string') {
      throw new DiscoveryError(
        'ERR_ENDPOINT_NOT_SUPPORTED',
        withHint(`The provider ${this.#as.issuer} advertises no ${name}.`, 'unsupported'),
      )
    }
    return new URL(value)
  }

  #authorizationParams(params: AuthorizationUrlParams): URLSearchParams {
    if (!isObject(params)) {
      throw argumentError(
        'ERR_INVALID_ARG_TYPE',
        'authorizationUrl() needs { scope, state, nonce, codeChallenge }.',
      )
    }
    const { scope = 'openid', state, nonce, codeChallenge, redirectUri, ...extra } = params
    assertString(state, '`state` (use randomState())')
    assertString(codeChallenge, '`codeChallenge` (use createPkce())')
    assertString(scope, '`scope`')
    if (scope.split(' ').includes('openid')) assertString(nonce, '`nonce` (use randomNonce())')
    else assertOptionalString(nonce, '`nonce`')
    const redirect = redirectUri ?? this.redirectUri
    assertString(redirect, '`redirectUri` (in the parameters or the client options)')
    const parameters = new URLSearchParams({
      client_id: this.clientId,
      response_type: 'code',
      redirect_uri: redirect,
      scope,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    })
    if (nonce !== undefined) parameters.set('nonce', nonce)
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) continue
      if (reservedAuthorizationParams.has(key) || parameters.has(key)) {
        throw argumentError(
          'ERR_INVALID_ARG_VALUE',
          `The authorization parameter \`${key}\` is set by oidckit; do not pass it as an extra parameter.`,
        )
      }
      assertString(value, `The authorization parameter \`${key}\``)
      parameters.set(key, value)
    }
    return parameters
  }

  /** oauth4webapi's client record for one call, with the injected clock as a skew. */
  #client(): oauth.Client {
    return {
      client_id: this.clientId,
      id_token_signed_response_alg: this.#options.idTokenSigningAlg ?? 'RS256',
      [oauth.clockSkew]: Math.floor(this.#clock() / 1000) - Math.floor(Date.now() / 1000),
      [oauth.clockTolerance]: this.#tolerance,
    }
  }

  async #call<T>(
    stage: Stage,
    signal: AbortSignal | undefined,
    run: (
      req: { [oauth.customFetch]: CustomFetch; [oauth.allowInsecureRequests]: boolean },
      client: oauth.Client,
    ) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw abortedError(signal)
    // RP-10: what this call sends and receives is kept out of any error it raises.
    const secrets = new Set<string>()
    const http = createHttp({ ...transport(this.#options), signal, secrets })
    try {
      return await run(
        { [oauth.customFetch]: http, [oauth.allowInsecureRequests]: this.#insecure },
        this.#client(),
      )
    } catch (err) {
      throw await mapErrorWithBody(err, stage, secrets)
    }
  }

  async #tokenSet(
    response: Response,
    result: oauth.TokenEndpointResponse,
    req: { [oauth.customFetch]: CustomFetch; [oauth.allowInsecureRequests]: boolean },
    previous?: TokenSet<Claims>,
  ): Promise<TokenSet<Claims>> {
    let claims = oauth.getValidatedIdTokenClaims(result) as (IdTokenClaims & Claims) | undefined
    if (claims && result.id_token) {
      // One token, one string: no padding, no `+/`, no stray bits (RFC 7515 §2).
      if (!isCompactJws(result.id_token)) {
        throw new TokenValidationError(
          'ERR_JWT_INVALID',
          'The ID token is not a compact JWS in canonical base64url (RFC 7515 §2); it was rejected.',
          { claim: 'id_token', reason: 'invalid' },
        )
      }
      // RP-2: the signature is always checked against the issuer's JWKS, even over TLS.
      await oauth.validateApplicationLevelSignature(this.#as, response, req)
      checkIssuedAt(claims, Math.floor(this.#clock() / 1000), this.#tolerance)
      await checkAccessTokenHash(result.id_token, claims, result.access_token)
      const before = previous?.claims()
      if (before) checkRefreshedIdToken(before, claims)
    }
    let idToken = result.id_token
    if (!idToken && previous?.idToken) {
      idToken = previous.idToken
      claims = previous.claims()
    }
    return new TokenSet<Claims>(
      {
        accessToken: result.access_token,
        tokenType: result.token_type,
        expiresIn: result.expires_in,
        refreshToken: result.refresh_token ?? previous?.refreshToken,
        idToken,
        scope: result.scope ?? previous?.scope,
      },
      { clock: this.#clock, claims },
    )
  }
}

function checkOptions(options: ClientOptions): void {
  if (!isObject(options))
    throw argumentError('ERR_INVALID_ARG_TYPE', 'Client options must be an object.')
  assertString(options.clientId, '`clientId`')
  assertOptionalString(options.clientSecret, '`clientSecret`')
  assertOptionalString(options.redirectUri, '`redirectUri`')
  assertOptionalString(options.idTokenSigningAlg, '`idTokenSigningAlg`')
  if (options.idTokenSigningAlg && /^(none|HS\d+)$/i.test(options.idTokenSigningAlg)) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`idTokenSigningAlg` must be an asymmetric algorithm (RP-2), e.g. RS256 or ES256.',
    )
  }
  assertNonNegativeNumber(options.clockTolerance, '`clockTolerance`')
  assertNonNegativeNumber(options.timeout, '`timeout`')
  assertNonNegativeNumber(options.maxResponseBytes, '`maxResponseBytes`')
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`fetch` must be a function.')
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      '`clock` must be a function returning milliseconds since the epoch.',
    )
  }
}

function transport(options: ClientOptions) {
  return {
    // Bound late, so a fetch installed (or mocked) after the client was built is used.
    fetch: options.fetch ?? ((request: Request) => fetch(request)),
    timeout: options.timeout ?? DEFAULT_TIMEOUT,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  }
}

function httpPolicy(issuer: URL, allowInsecure: boolean): (url: URL) => boolean {
  return (url) => allowInsecure || (issuer.protocol === 'http:' && isLoopbackHost(url.hostname))
}

function callbackParameters(callback: string | URL | URLSearchParams): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback
  if (callback instanceof URL) return callback.searchParams
  if (typeof callback !== 'string') {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      'The callback must be the redirect URL (string or URL) or its URLSearchParams.',
    )
  }
  if (callback.startsWith('?')) return new URLSearchParams(callback)
  try {
    return new URL(callback).searchParams
  } catch {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      'The callback is not a URL; pass the full redirect URL, e.g. location.href.',
    )
  }
}

function extraParameters(scope: unknown, resource: unknown): URLSearchParams {
  const parameters = new URLSearchParams()
  assertOptionalString(scope, '`scope`')
  if (scope) parameters.set('scope', scope)
  for (const value of [resource ?? []].flat()) {
    assertString(value, '`resource`')
    parameters.append('resource', value)
  }
  return parameters
}

function hint(tokenTypeHint: string | undefined): Record<string, string> | undefined {
  assertOptionalString(tokenTypeHint, '`tokenTypeHint`')
  return tokenTypeHint ? { token_type_hint: tokenTypeHint } : undefined
}
