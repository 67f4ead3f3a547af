import * as oauth from 'oauth4webapi'
import {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenValidationError,
} from '../errors.js'
import { isObject } from './assert.js'

/** Where a failure happened: it decides how an ambiguous oauth4webapi error reads. */
export type Stage =
  | 'discovery'
  | 'callback'
  | 'token'
  | 'userinfo'
  | 'introspection'
  | 'revocation'
  | 'device'
  | 'par'

const CLAIM_NAMES: Record<string, string> = {
  iss: 'issuer',
  aud: 'audience',
  azp: 'authorized party',
  exp: 'expiration time',
  iat: 'issued-at time',
  nbf: 'not-before time',
  nonce: 'nonce',
  sub: 'subject',
  auth_time: 'authentication time',
}

function isArgumentError(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    ((err as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE' ||
      (err as { code?: unknown }).code === 'ERR_INVALID_ARG_VALUE')
  )
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function describeOAuth(error: string, description: string | undefined): string {
  return description ? `${error} (${description})` : error
}

/**
 * Turns anything thrown while talking to the provider into an oidckit error, keeping the original
 * as `cause`. Caller misuse (`TypeError` with an `ERR_INVALID_ARG_*` code) passes through.
 */
export function mapError(err: unknown, stage: Stage): unknown {
  if (err instanceof OidcKitError || isArgumentError(err)) return err

  if (err instanceof oauth.ResponseBodyError) {
    return new OAuthError(
      'ERR_OAUTH_RESPONSE',
      `The authorization server refused the ${stage} request: ${describeOAuth(err.error, err.error_description)}.${hintFor(err.error)}`,
      {
        error: err.error,
        errorDescription: err.error_description,
        errorUri: text(err.cause.error_uri),
        status: err.status,
        response: err.response,
        cause: err,
      },
    )
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    return new OAuthError(
      'ERR_AUTHORIZATION_RESPONSE',
      `The authorization server returned an error to the redirect URI: ${describeOAuth(err.error, err.error_description)}.${hintFor(err.error)}`,
      {
        error: err.error,
        errorDescription: err.error_description,
        errorUri: err.cause.get('error_uri') ?? undefined,
        cause: err,
      },
    )
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = err.cause[0]
    const error = challenge?.parameters.error ?? 'unauthorized'
    const description = challenge?.parameters.error_description
    return new OAuthError(
      'ERR_OAUTH_RESPONSE',
      `The ${stage} endpoint answered HTTP ${err.status} with a ${challenge?.scheme ?? 'WWW-Authenticate'} challenge: ${describeOAuth(error, description)}. Check the token or the client credentials.`,
      {
        error,
        errorDescription: description,
        status: err.status,
        response: err.response,
        cause: err,
      },
    )
  }
  if (err instanceof oauth.UnsupportedOperationError) return mapUnsupported(err, stage)
  if (err instanceof oauth.OperationProcessingError) return mapProcessing(err, stage)

  return new NetworkError(
    'ERR_RESPONSE_INVALID',
    `The ${stage} response could not be processed: ${err instanceof Error ? err.message : String(err)}.`,
    { cause: err },
  )
}

/**
 * Like {@link mapError}, but a `WWW-Authenticate` challenge without an `error` parameter (e.g.
 * `Basic realm="…"` on a failed client authentication) takes its error from the JSON body.
 */
export async function mapErrorWithBody(err: unknown, stage: Stage): Promise<unknown> {
  if (
    err instanceof oauth.WWWAuthenticateChallengeError &&
    !err.cause.some((challenge) => challenge.parameters.error) &&
    !err.response.bodyUsed
  ) {
    const body: unknown = await err.response
      .clone()
      .json()
      .catch(() => undefined)
    if (isObject(body) && typeof body.error === 'string' && body.error) {
      const description = text(body.error_description)
      return new OAuthError(
        'ERR_OAUTH_RESPONSE',
        `The authorization server refused the ${stage} request (HTTP ${err.status}): ${describeOAuth(body.error, description)}.${hintFor(body.error)}`,
        {
          error: body.error,
          errorDescription: description,
          errorUri: text(body.error_uri),
          status: err.status,
          response: err.response,
          cause: err,
        },
      )
    }
  }
  return mapError(err, stage)
}

function hintFor(error: string): string {
  switch (error) {
    case 'invalid_client':
      return ' Check the client ID, the client secret or key, and `tokenEndpointAuthMethod`.'
    case 'invalid_grant':
      return ' The code or refresh token is expired, used or revoked: sign the user in again.'
    case 'invalid_scope':
      return ' Request only scopes this client is registered for.'
    case 'unauthorized_client':
      return ' This client is not allowed to use this grant; check its registration.'
    case 'access_denied':
      return ' The user or the server declined the request.'
    default:
      return ''
  }
}

function mapUnsupported(err: oauth.UnsupportedOperationError, stage: Stage): unknown {
  const cause = err.cause
  if (isObject(cause) && typeof cause.alg === 'string') {
    return new TokenValidationError(
      'ERR_JWT_INVALID',
      `The token uses the JWS algorithm "${cause.alg}", which is not accepted (RFC 8725): it must be an asymmetric signature from the issuer's JWKS.`,
      { claim: 'alg', reason: 'unsupported', cause: err },
    )
  }
  if (/implicit|hybrid/.test(err.message)) {
    return new TokenValidationError(
      'ERR_AUTHORIZATION_RESPONSE_INVALID',
      'The callback carries tokens (implicit or hybrid flow); only the authorization code flow is accepted. Use response_type=code.',
      { claim: 'response_type', reason: 'unsupported', cause: err },
    )
  }
  if (/token_type/.test(err.message)) {
    return new NetworkError(
      'ERR_RESPONSE_INVALID',
      `The ${stage} response has an unsupported token_type; only Bearer and DPoP are accepted.`,
      { cause: err },
    )
  }
  return new TokenValidationError(
    'ERR_JWT_INVALID',
    `The token cannot be processed: ${err.message}. Check the provider's signing configuration.`,
    { claim: 'header', reason: 'unsupported', cause: err },
  )
}

function mapProcessing(err: oauth.OperationProcessingError, stage: Stage): unknown {
  const cause = isObject(err.cause) ? err.cause : {}
  const claim = text(cause.claim)
  switch (err.code) {
    case oauth.JWT_TIMESTAMP_CHECK:
      if (claim === 'exp') {
        return new TokenValidationError(
          'ERR_JWT_EXPIRED',
          'The ID token has expired (its "exp" is in the past, beyond the clock tolerance). Check the clocks of this machine and the provider, or sign in again.',
          { claim: 'exp', reason: 'expired', cause: err },
        )
      }
      if (claim === 'nbf') {
        return claimError('nbf', 'not_yet_valid', 'is not valid yet ("nbf" is in the future)', err)
      }
      return claimError(
        claim ?? 'auth_time',
        'expired',
        'is too old: the user authenticated longer ago than max_age allows',
        err,
      )
    case oauth.JWT_CLAIM_COMPARISON:
      if (claim === 'aud' && /untrusted/.test(err.message)) {
        return claimError(
          'azp',
          'missing',
          'has several audiences but no "azp" naming this client',
          err,
        )
      }
      return claimError(
        claim ?? 'unknown',
        'mismatch',
        `has the wrong "${claim}" (expected ${JSON.stringify(cause.expected)})`,
        err,
      )
    case oauth.JSON_ATTRIBUTE_COMPARISON:
      if (cause.attribute === 'sub') {
        return new TokenValidationError(
          'ERR_USERINFO_SUBJECT_MISMATCH',
          `The UserInfo "sub" differs from the expected subject ${JSON.stringify(cause.expected)}; the response was discarded (OIDC Core §5.3.2).`,
          { claim: 'sub', reason: 'mismatch', cause: err },
        )
      }
      return new DiscoveryError('ERR_DISCOVERY_INVALID', `Invalid metadata: ${err.message}.`, {
        cause: err,
      })
    case oauth.KEY_SELECTION:
      return new TokenValidationError(
        'ERR_JWKS_NO_MATCHING_KEY',
        /multiple/.test(err.message)
          ? 'Several keys in the issuer\'s JWKS match the token and it names no "kid"; the provider must set a kid.'
          : "No key in the issuer's JWKS matches the token's \"kid\" and algorithm, even after refetching the JWKS. The token was not signed by this issuer's current keys.",
        { claim: 'kid', reason: 'mismatch', cause: err },
      )
    case oauth.PARSE_ERROR:
      if (/JWT/.test(err.message)) {
        return new TokenValidationError('ERR_JWT_INVALID', 'The token is not a well-formed JWT.', {
          claim: 'jwt',
          reason: 'invalid',
          cause: err,
        })
      }
      return new NetworkError('ERR_RESPONSE_NOT_JSON', `The ${stage} response is not JSON.`, {
        cause: err,
      })
    case oauth.RESPONSE_IS_NOT_JSON:
      return new NetworkError(
        'ERR_RESPONSE_NOT_JSON',
        `The ${stage} response has the wrong content-type: ${err.message}.`,
        { cause: err },
      )
    case oauth.RESPONSE_IS_NOT_CONFORM: {
      const status = err.cause instanceof Response ? err.cause.status : undefined
      return new NetworkError(
        'ERR_UNEXPECTED_STATUS',
        `The ${stage} endpoint answered with an unexpected HTTP status${status ? ` ${status}` : ''} and no OAuth error body. Check the endpoint URL and the provider's logs.`,
        { status, cause: err },
      )
    }
    case oauth.HTTP_REQUEST_FORBIDDEN:
    case oauth.REQUEST_PROTOCOL_FORBIDDEN:
      return new DiscoveryError(
        'ERR_INSECURE_ENDPOINT',
        `Refusing a request over an insecure protocol (${err.cause instanceof URL ? err.cause.href : 'non-https'}). Use https, or set \`allowInsecure: true\` for local development only.`,
        { cause: err },
      )
    case oauth.MISSING_SERVER_METADATA:
      return new DiscoveryError(
        'ERR_ENDPOINT_NOT_SUPPORTED',
        `The provider's metadata has no ${text(cause.attribute) ?? 'endpoint'} for this ${stage} request; it does not support this operation.`,
        { cause: err },
      )
    case oauth.INVALID_SERVER_METADATA:
      return new DiscoveryError(
        'ERR_DISCOVERY_INVALID',
        `The provider's metadata has an invalid ${text(cause.attribute) ?? 'endpoint'}.`,
        { cause: err },
      )
    case oauth.JWT_USERINFO_EXPECTED:
      return new TokenValidationError(
        'ERR_JWT_INVALID',
        'A signed UserInfo response was expected but the provider sent plain JSON.',
        { claim: 'userinfo', reason: 'invalid', cause: err },
      )
    default:
      return mapInvalid(err, stage)
  }
}

function claimError(
  claim: string,
  reason: TokenValidationError['reason'],
  what: string,
  cause: unknown,
): TokenValidationError {
  const name = CLAIM_NAMES[claim] ? ` (${CLAIM_NAMES[claim]})` : ''
  return new TokenValidationError(
    'ERR_JWT_CLAIM_VALIDATION_FAILED',
    `The ID token ${what}; "${claim}"${name} failed validation and the token was rejected. Check the client and issuer configuration, or sign in again.`,
    { claim, reason, cause },
  )
}

function mapInvalid(err: oauth.OperationProcessingError, stage: Stage): unknown {
  const message = err.message
  if (stage === 'callback') {
    const claim = /"iss"/.test(message) ? 'iss' : /"state"/.test(message) ? 'state' : 'code'
    const missing = /missing/.test(message)
    const advice =
      claim === 'iss'
        ? missing
          ? 'The provider advertises authorization_response_iss_parameter_supported but the callback has no "iss" (RFC 9207): possible mix-up attack.'
          : 'The callback\'s "iss" is not this client\'s issuer (RFC 9207): the response came from another authorization server (mix-up attack).'
        : claim === 'state'
          ? missing
            ? 'The callback has no "state": it was not started by this client. Start a new login.'
            : 'The callback\'s "state" does not match this login: it was not started by this browser session (CSRF). Start a new login.'
          : `The callback is invalid: ${message}.`
    return new TokenValidationError('ERR_AUTHORIZATION_RESPONSE_INVALID', advice, {
      claim,
      reason: missing ? 'missing' : 'mismatch',
      cause: err,
    })
  }
  if (/signature verification failed/.test(message)) {
    return new TokenValidationError(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      "The ID token's signature does not verify with the issuer's key: it was forged or altered. It was rejected.",
      { claim: 'signature', reason: 'invalid', cause: err },
    )
  }
  if (/"alg"/.test(message)) {
    const header = isObject(err.cause) && isObject(err.cause.header) ? err.cause.header : {}
    return new TokenValidationError(
      'ERR_JWT_INVALID',
      `The token is signed with "${String(header.alg)}", which this client does not accept (expected ${JSON.stringify(isObject(err.cause) ? err.cause.expected : undefined)}). Set \`idTokenSigningAlg\` if the provider was registered with another algorithm.`,
      { claim: 'alg', reason: 'unsupported', cause: err },
    )
  }
  const missingClaim = /JWT "(\w+)" .*claim missing/.exec(message)
  if (missingClaim?.[1]) {
    return claimError(missingClaim[1], 'missing', `has no "${missingClaim[1]}" claim`, err)
  }
  const badType = /unexpected JWT "(\w+)" .*claim type/.exec(message)
  if (badType?.[1]) {
    return claimError(badType[1], 'invalid', `has a mistyped "${badType[1]}" claim`, err)
  }
  if (/ID Token "nonce"/.test(message)) {
    return claimError('nonce', 'mismatch', 'has the wrong "nonce"', err)
  }
  if (/JWT|ID Token/.test(message)) {
    return new TokenValidationError('ERR_JWT_INVALID', `The token is invalid: ${message}.`, {
      claim: 'jwt',
      reason: 'invalid',
      cause: err,
    })
  }
  return new NetworkError(
    'ERR_RESPONSE_INVALID',
    `The ${stage} response is not a conforming answer: ${message}. Check that the issuer is an OAuth 2 / OpenID provider.`,
    { cause: err },
  )
}
