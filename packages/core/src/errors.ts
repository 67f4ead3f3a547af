/**
 * The one error hierarchy of oidckit. Every failure a caller can meet is an {@link OidcKitError}
 * subclass with a stable `code`; caller misuse is a `TypeError` with `code`
 * `'ERR_INVALID_ARG_TYPE'` or `'ERR_INVALID_ARG_VALUE'`.
 *
 * Messages are one line. The explanation after it (what to check, what to do) is
 * development-only: a build with `process.env.NODE_ENV === 'production'` keeps the code and the
 * one-line message and leaves the explanation out of the bundle. Switch on `code`, never on the
 * message text.
 *
 * @module
 */

import { markSafe, safeCause, safeResponse } from './internal/sanitize.js'

/** Codes of {@link OAuthError}: the server answered with an OAuth 2 error. */
export type OAuthErrorCode =
  /** An endpoint answered with an RFC 6749 §5.2 error body or a `WWW-Authenticate` challenge. */
  | 'ERR_OAUTH_RESPONSE'
  /** The authorization response (the callback URL) carried `?error=` (RFC 6749 §4.1.2.1). */
  | 'ERR_AUTHORIZATION_RESPONSE'
  /** A device code ran out (`expires_in`) before the user approved it (RFC 8628 §3.5). */
  | 'ERR_DEVICE_CODE_EXPIRED'

/** Codes of {@link TokenValidationError}: a token or response failed a validation rule. */
export type TokenValidationErrorCode =
  /** The callback's `state` or RFC 9207 `iss` parameter is wrong or missing. */
  | 'ERR_AUTHORIZATION_RESPONSE_INVALID'
  /** The JWT is malformed, or its `alg` is not allowed (`none`, HMAC, unregistered). */
  | 'ERR_JWT_INVALID'
  /** The JWS signature does not verify with the key from the issuer's `jwks_uri`. */
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
  /** No single key in the issuer's JWKS matches the token header, even after one refetch. */
  | 'ERR_JWKS_NO_MATCHING_KEY'
  /** The token's `exp` is in the past (beyond the clock tolerance). */
  | 'ERR_JWT_EXPIRED'
  /** A claim (`iss`, `aud`, `azp`, `iat`, `nbf`, `nonce`, `sub`, `at_hash`…) failed its check. */
  | 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  /** The UserInfo `sub` differs from the expected subject (OIDC Core §5.3.2). */
  | 'ERR_USERINFO_SUBJECT_MISMATCH'

/** Codes of {@link DiscoveryError}: the provider's metadata is unusable. */
export type DiscoveryErrorCode =
  /** The metadata's `issuer` differs from the issuer it was fetched for (RP-7). */
  | 'ERR_DISCOVERY_ISSUER_MISMATCH'
  /** The metadata document is malformed or lacks a required field. */
  | 'ERR_DISCOVERY_INVALID'
  /** An endpoint uses `http:` on a non-loopback host. */
  | 'ERR_INSECURE_ENDPOINT'
  /** The provider does not advertise the endpoint an operation needs. */
  | 'ERR_ENDPOINT_NOT_SUPPORTED'

/** Codes of {@link NetworkError}: the HTTP exchange itself failed or its answer is unusable. */
export type NetworkErrorCode =
  /** No answer within the request timeout. */
  | 'ERR_TIMEOUT'
  /** The caller's `AbortSignal` fired. */
  | 'ERR_ABORTED'
  /** The request could not be sent or the connection failed. */
  | 'ERR_CONNECTION_FAILED'
  /** The body could not be read to its end (connection dropped, truncated stream). */
  | 'ERR_BODY_READ_FAILED'
  /** The body exceeded `maxResponseBytes`. */
  | 'ERR_RESPONSE_TOO_LARGE'
  /** The body is not JSON (an HTML page, plain text, malformed or truncated JSON). */
  | 'ERR_RESPONSE_NOT_JSON'
  /** The server answered with a 5xx status. */
  | 'ERR_SERVER_ERROR'
  /** The server answered with a status the endpoint must not use (a redirect, an odd 4xx). */
  | 'ERR_UNEXPECTED_STATUS'
  /** The body is JSON but not a conforming response (missing or mistyped members). */
  | 'ERR_RESPONSE_INVALID'

/** Every `code` an {@link OidcKitError} can carry; `switch (err.code)` narrows on it. */
export type OidcKitErrorCode =
  OAuthErrorCode | TokenValidationErrorCode | DiscoveryErrorCode | NetworkErrorCode

/** Codes of the `TypeError`s thrown on caller misuse (a missing or malformed argument). */
export type ArgumentErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE'

/** Options every oidckit error accepts. */
export interface OidcKitErrorOptions {
  /**
   * The underlying failure (an oauth4webapi error, a `DOMException`, a fetch `TypeError`). An
   * oidckit error is kept as it is; any other error is kept as a copy of its name, `code`,
   * message and stack frames (its error causes likewise), and anything else is dropped, so
   * that no response, body or token rides along (RP-10).
   */
  cause?: unknown
}

// RP-11: server-supplied text is shown as text only, on one line.
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ')
}

/**
 * Base class of every oidckit error, with a stable `code` an app can switch on. The `message` is
 * one line; its explanatory hint (what to check, what to do) is there in development only, and
 * left out when `process.env.NODE_ENV` is `'production'`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @example
 * ```ts
 * import { OidcKitError } from '@oidckit/core'
 *
 * try {
 *   await client.refresh(tokens)
 * } catch (err) {
 *   if (err instanceof OidcKitError && err.code === 'ERR_OAUTH_RESPONSE') signOut()
 * }
 * ```
 */
export class OidcKitError extends Error {
  /** A stable, machine-readable code. */
  declare readonly code: OidcKitErrorCode

  constructor(code: OidcKitErrorCode, message: string, options?: OidcKitErrorOptions) {
    const cause = safeCause(options?.cause)
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
    this.name = new.target.name
    markSafe(this)
  }
}

/** Fields of an {@link OAuthError}. */
export interface OAuthErrorOptions extends OidcKitErrorOptions {
  /** The RFC 6749 `error` code, e.g. `invalid_grant`. */
  error: string
  /** The server's `error_description`. */
  errorDescription?: string | undefined
  /** The server's `error_uri`. */
  errorUri?: string | undefined
  /** The HTTP status, when the error came in an HTTP response. */
  status?: number | undefined
  /** The HTTP response, when there was one; only its status and a few headers are kept. */
  response?: Response | undefined
}

/**
 * The authorization server answered with an OAuth 2 error: an error body from an endpoint, a
 * `WWW-Authenticate` challenge, or `?error=` on the callback.
 * Its message is one line; the hint after it is development-only (see {@link OidcKitError}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @example
 * ```ts
 * import { OAuthError } from '@oidckit/core'
 *
 * try {
 *   await client.refresh(tokens)
 * } catch (err) {
 *   if (err instanceof OAuthError && err.error === 'invalid_grant') await login()
 * }
 * ```
 */
export class OAuthError extends OidcKitError {
  declare readonly code: OAuthErrorCode
  /** The RFC 6749 `error` code, e.g. `invalid_grant`, `access_denied`. */
  declare readonly error: string
  /** The server's `error_description`, with CR, LF and TAB replaced by spaces (RP-11). */
  declare readonly errorDescription: string | undefined
  /** The server's `error_uri`. */
  declare readonly errorUri: string | undefined
  /** The HTTP status, or `undefined` for a callback error or a local device-code expiry. */
  declare readonly status: number | undefined
  /**
   * The HTTP response's status and the headers a caller acts on (`Retry-After`,
   * `WWW-Authenticate`, `DPoP-Nonce`, `Content-Type`, `Cache-Control`, `Date`), without a body:
   * the body may carry tokens (RP-10). Not enumerable.
   */
  declare readonly response: Response | undefined

  constructor(code: OAuthErrorCode, message: string, options: OAuthErrorOptions) {
    super(code, oneLine(message), options)
    this.error = oneLine(options.error)
    this.errorDescription =
      options.errorDescription === undefined ? undefined : oneLine(options.errorDescription)
    this.errorUri = options.errorUri
    this.status = options.status
    Object.defineProperty(this, 'response', {
      value: safeResponse(options.response),
      enumerable: false,
      writable: false,
      configurable: true,
    })
  }
}

/** Fields of a {@link TokenValidationError}. */
export interface TokenValidationErrorOptions extends OidcKitErrorOptions {
  /** The claim or parameter that failed: `iss`, `aud`, `state`, `signature`… */
  claim: string
  /** Why it failed. */
  reason: TokenValidationReason
}

/** Why a {@link TokenValidationError} was raised. */
export type TokenValidationReason =
  'missing' | 'mismatch' | 'expired' | 'not_yet_valid' | 'invalid' | 'unsupported'

/**
 * A token, a callback or a UserInfo response failed validation. Never a warning: the token is
 * not used.
 * Its message is one line; the hint after it is development-only (see {@link OidcKitError}).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @example
 * ```ts
 * import { TokenValidationError } from '@oidckit/core'
 *
 * try {
 *   await client.authorizationCodeGrant(location.href, checks)
 * } catch (err) {
 *   if (err instanceof TokenValidationError && err.claim === 'state') await login()
 * }
 * ```
 */
export class TokenValidationError extends OidcKitError {
  declare readonly code: TokenValidationErrorCode
  /** The claim or parameter that failed: `iss`, `aud`, `azp`, `exp`, `nonce`, `state`… */
  declare readonly claim: string
  /** Why it failed. */
  declare readonly reason: TokenValidationReason

  constructor(
    code: TokenValidationErrorCode,
    message: string,
    options: TokenValidationErrorOptions,
  ) {
    super(code, message, options)
    this.claim = options.claim
    this.reason = options.reason
  }
}

/**
 * The provider's discovery metadata is unusable: the wrong `issuer`, a malformed document, an
 * insecure endpoint, or an endpoint the operation needs is not advertised.
 * Its message is one line; the hint after it is development-only (see {@link OidcKitError}).
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @example
 * ```ts
 * import { Client, DiscoveryError } from '@oidckit/core'
 *
 * try {
 *   await Client.discover({ issuer: 'https://id.example.com', clientId: 'app' })
 * } catch (err) {
 *   if (err instanceof DiscoveryError) console.error(err.message)
 * }
 * ```
 */
export class DiscoveryError extends OidcKitError {
  declare readonly code: DiscoveryErrorCode
  /** The issuer the caller asked for. */
  declare readonly expectedIssuer: string | undefined
  /** The issuer the metadata advertises, when it differs. */
  declare readonly actualIssuer: string | undefined

  constructor(
    code: DiscoveryErrorCode,
    message: string,
    options?: OidcKitErrorOptions & { expectedIssuer?: string; actualIssuer?: string },
  ) {
    super(code, message, options)
    this.expectedIssuer = options?.expectedIssuer
    this.actualIssuer = options?.actualIssuer
  }
}

/**
 * The HTTP exchange failed or its answer is unusable: a timeout, a dropped connection, a 5xx, an
 * HTML page instead of JSON, a body over the size limit.
 * Its message is one line; the hint after it is development-only (see {@link OidcKitError}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 * @example
 * ```ts
 * import { NetworkError } from '@oidckit/core'
 *
 * try {
 *   await client.clientCredentials({ scope: 'api:read' })
 * } catch (err) {
 *   if (err instanceof NetworkError && err.code === 'ERR_TIMEOUT') scheduleRetry()
 * }
 * ```
 */
export class NetworkError extends OidcKitError {
  declare readonly code: NetworkErrorCode
  /** The URL of the request. */
  declare readonly url: string | undefined
  /** The HTTP status, when a response arrived. */
  declare readonly status: number | undefined

  constructor(
    code: NetworkErrorCode,
    message: string,
    options?: OidcKitErrorOptions & { url?: string | undefined; status?: number | undefined },
  ) {
    super(code, message, options)
    this.url = options?.url
    this.status = options?.status
  }
}

/**
 * Every error oidckit raises for a failure (as opposed to caller misuse), as a union that
 * narrows on `code`.
 *
 * @example
 * ```ts
 * import type { AnyOidcKitError } from '@oidckit/core'
 *
 * function describe(err: AnyOidcKitError): string {
 *   switch (err.code) {
 *     case 'ERR_OAUTH_RESPONSE':
 *       return err.error
 *     case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
 *       return err.claim
 *     default:
 *       return err.message
 *   }
 * }
 * ```
 */
export type AnyOidcKitError = OAuthError | TokenValidationError | DiscoveryError | NetworkError
