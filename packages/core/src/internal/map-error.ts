import {
  AuthorizationResponseError,
  HTTP_REQUEST_FORBIDDEN,
  INVALID_SERVER_METADATA,
  JSON_ATTRIBUTE_COMPARISON,
  JWT_CLAIM_COMPARISON,
  JWT_TIMESTAMP_CHECK,
  JWT_USERINFO_EXPECTED,
  KEY_SELECTION,
  MISSING_SERVER_METADATA,
  OperationProcessingError,
  PARSE_ERROR,
  REQUEST_PROTOCOL_FORBIDDEN,
  RESPONSE_IS_NOT_CONFORM,
  RESPONSE_IS_NOT_JSON,
  ResponseBodyError,
  UnsupportedOperationError,
  WWWAuthenticateChallengeError,
} from 'oauth4webapi'
import type { OAuthErrorCode } from '../errors.js'
import {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenValidationError,
} from '../errors.js'
import { isObject } from './assert.js'
import { withHint } from './hints.js'
import { safeCause, safeResponse } from './sanitize.js'
import { redact } from './secrets.js'

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

/** An {@link OAuthError} whose server text has the exchange's `secrets` redacted (RP-10, RP-18). */
function refused(
  code: OAuthErrorCode,
  err: unknown,
  secrets: ReadonlySet<string> | undefined,
  fields: {
    error: string
    description?: string | undefined
    uri?: string | undefined
    status?: number | undefined
    response?: Response | undefined
  },
  message: (what: string) => string,
): OAuthError {
  const error = redact(fields.error, secrets)
  const errorDescription = redact(fields.description, secrets)
  return new OAuthError(code, message(describeOAuth(error, errorDescription)), {
    error,
    errorDescription,
    errorUri: redact(fields.uri, secrets),
    status: fields.status,
    response: safeResponse(fields.response, secrets),
    cause: safeCause(err, secrets),
  })
}

/**
 * Turns anything thrown while talking to the provider into an oidckit error. The original is
 * kept as `cause` only as a sanitized copy, and `secrets` (the credentials of the exchange) are
 * redacted from the server text kept (RP-10, RP-18). Caller misuse (`TypeError` with an
 * `ERR_INVALID_ARG_*` code) passes through.
 */
export function mapError(err: unknown, stage: Stage, secrets?: ReadonlySet<string>): unknown {
  if (err instanceof OidcKitError || isArgumentError(err)) return err

  if (err instanceof ResponseBodyError) {
    return refused(
      'ERR_OAUTH_RESPONSE',
      err,
      secrets,
      {
        error: err.error,
        description: err.error_description,
        uri: text(err.cause.error_uri),
        status: err.status,
        response: err.response,
      },
      (what) =>
        withHint(
          `The authorization server refused the ${stage} request: ${what}.`,
          'oauthError',
          err.error,
        ),
    )
  }
  if (err instanceof AuthorizationResponseError) {
    return refused(
      'ERR_AUTHORIZATION_RESPONSE',
      err,
      secrets,
      {
        error: err.error,
        description: err.error_description,
        uri: err.cause.get('error_uri') ?? undefined,
      },
      (what) =>
        withHint(
          `The authorization server returned an error to the redirect URI: ${what}.`,
          'oauthError',
          err.error,
        ),
    )
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    const challenge = err.cause[0]
    return refused(
      'ERR_OAUTH_RESPONSE',
      err,
      secrets,
      {
        error: challenge?.parameters.error ?? 'unauthorized',
        description: challenge?.parameters.error_description,
        status: err.status,
        response: err.response,
      },
      (what) =>
        withHint(
          `The ${stage} endpoint answered HTTP ${err.status} with a ${redact(challenge?.scheme ?? 'WWW-Authenticate', secrets)} challenge: ${what}.`,
          'challenge',
        ),
    )
  }
  const cause = safeCause(err, secrets)
  const message = redact(err instanceof Error ? err.message : String(err), secrets)
  if (err instanceof UnsupportedOperationError) {
    return mapUnsupported(err, stage, cause, message)
  }
  if (err instanceof OperationProcessingError) {
    return mapProcessing(err, stage, cause, message)
  }
  return new NetworkError(
    'ERR_RESPONSE_INVALID',
    `The ${stage} response could not be processed: ${message}.`,
    { cause },
  )
}

/**
 * Like {@link mapError}, but a `WWW-Authenticate` challenge without an `error` parameter (e.g.
 * `Basic realm="…"` on a failed client authentication) takes its error from the JSON body.
 */
export async function mapErrorWithBody(
  err: unknown,
  stage: Stage,
  secrets?: ReadonlySet<string>,
): Promise<unknown> {
  if (
    err instanceof WWWAuthenticateChallengeError &&
    !err.cause.some((challenge) => challenge.parameters.error) &&
    !err.response.bodyUsed
  ) {
    const body: unknown = await err.response
      .clone()
      .json()
      .catch(() => undefined)
    if (isObject(body) && typeof body.error === 'string' && body.error) {
      const error = body.error
      return refused(
        'ERR_OAUTH_RESPONSE',
        err,
        secrets,
        {
          error,
          description: text(body.error_description),
          uri: text(body.error_uri),
          status: err.status,
          response: err.response,
        },
        (what) =>
          withHint(
            `The authorization server refused the ${stage} request (HTTP ${err.status}): ${what}.`,
            'oauthError',
            error,
          ),
      )
    }
  }
  return mapError(err, stage, secrets)
}

function mapUnsupported(
  err: UnsupportedOperationError,
  stage: Stage,
  cause: Error | undefined,
  message: string,
): unknown {
  const detail = err.cause
  if (isObject(detail) && typeof detail.alg === 'string') {
    return new TokenValidationError(
      'ERR_JWT_INVALID',
      withHint(
        `The token uses the JWS algorithm "${detail.alg}", which is not accepted (RFC 8725).`,
        'asymmetric',
      ),
      { claim: 'alg', reason: 'unsupported', cause },
    )
  }
  if (/implicit|hybrid/.test(message)) {
    return new TokenValidationError(
      'ERR_AUTHORIZATION_RESPONSE_INVALID',
      withHint('The callback carries tokens (implicit or hybrid flow).', 'codeFlow'),
      { claim: 'response_type', reason: 'unsupported', cause },
    )
  }
  if (/token_type/.test(message)) {
    return new NetworkError(
      'ERR_RESPONSE_INVALID',
      withHint(`The ${stage} response has an unsupported token_type.`, 'tokenType'),
      { cause },
    )
  }
  return new TokenValidationError(
    'ERR_JWT_INVALID',
    withHint(`The token cannot be processed: ${message}.`, 'signingConfig'),
    { claim: 'header', reason: 'unsupported', cause },
  )
}

// `safe` is the sanitized copy of `err` to keep as cause; `err.cause` is read, never kept.
function mapProcessing(
  err: OperationProcessingError,
  stage: Stage,
  safe: Error | undefined,
  message: string,
): unknown {
  const cause = isObject(err.cause) ? err.cause : {}
  const claim = text(cause.claim)
  switch (err.code) {
    case JWT_TIMESTAMP_CHECK:
      if (claim === 'exp') {
        return new TokenValidationError(
          'ERR_JWT_EXPIRED',
          withHint('The ID token has expired.', 'expired'),
          { claim: 'exp', reason: 'expired', cause: safe },
        )
      }
      if (claim === 'nbf') {
        return claimError('nbf', 'not_yet_valid', 'is not valid yet', safe)
      }
      return claimError(claim ?? 'auth_time', 'expired', 'is too old for max_age', safe)
    case JWT_CLAIM_COMPARISON:
      if (claim === 'aud' && /untrusted/.test(message)) {
        return claimError('azp', 'missing', 'has several audiences and no "azp"', safe)
      }
      return claimError(
        claim ?? 'unknown',
        'mismatch',
        `has the wrong "${claim}"`,
        safe,
        cause.expected,
      )
    case JSON_ATTRIBUTE_COMPARISON:
      if (cause.attribute === 'sub') {
        return new TokenValidationError(
          'ERR_USERINFO_SUBJECT_MISMATCH',
          withHint(
            'The UserInfo "sub" differs from the expected subject (OIDC Core §5.3.2).',
            'subject',
            cause.expected,
          ),
          { claim: 'sub', reason: 'mismatch', cause: safe },
        )
      }
      return new DiscoveryError('ERR_DISCOVERY_INVALID', `Invalid metadata: ${message}.`, {
        cause: safe,
      })
    case KEY_SELECTION:
      return new TokenValidationError(
        'ERR_JWKS_NO_MATCHING_KEY',
        /multiple/.test(message)
          ? withHint(
              'Several keys in the issuer\'s JWKS match the token and it names no "kid".',
              'missingKid',
            )
          : withHint("No key in the issuer's JWKS matches the token.", 'unknownKey'),
        { claim: 'kid', reason: 'mismatch', cause: safe },
      )
    case PARSE_ERROR:
      if (/JWT/.test(message)) {
        return new TokenValidationError('ERR_JWT_INVALID', 'The token is not a well-formed JWT.', {
          claim: 'jwt',
          reason: 'invalid',
          cause: safe,
        })
      }
      return new NetworkError('ERR_RESPONSE_NOT_JSON', `The ${stage} response is not JSON.`, {
        cause: safe,
      })
    case RESPONSE_IS_NOT_JSON:
      return new NetworkError(
        'ERR_RESPONSE_NOT_JSON',
        `The ${stage} response has the wrong content-type: ${message}.`,
        { cause: safe },
      )
    case RESPONSE_IS_NOT_CONFORM: {
      const status = err.cause instanceof Response ? err.cause.status : undefined
      return new NetworkError(
        'ERR_UNEXPECTED_STATUS',
        withHint(
          `The ${stage} endpoint answered with an unexpected HTTP status${status ? ` ${status}` : ''} and no OAuth error body.`,
          'unexpectedStatus',
        ),
        { status, cause: safe },
      )
    }
    case HTTP_REQUEST_FORBIDDEN:
    case REQUEST_PROTOCOL_FORBIDDEN:
      return new DiscoveryError(
        'ERR_INSECURE_ENDPOINT',
        withHint(
          `Refusing a request over an insecure protocol (${err.cause instanceof URL ? err.cause.href : 'non-https'}).`,
          'insecure',
        ),
        { cause: safe },
      )
    case MISSING_SERVER_METADATA:
      return new DiscoveryError(
        'ERR_ENDPOINT_NOT_SUPPORTED',
        withHint(
          `The provider's metadata has no ${text(cause.attribute) ?? 'endpoint'} for this ${stage} request.`,
          'unsupported',
        ),
        { cause: safe },
      )
    case INVALID_SERVER_METADATA:
      return new DiscoveryError(
        'ERR_DISCOVERY_INVALID',
        `The provider's metadata has an invalid ${text(cause.attribute) ?? 'endpoint'}.`,
        { cause: safe },
      )
    case JWT_USERINFO_EXPECTED:
      return new TokenValidationError(
        'ERR_JWT_INVALID',
        'A signed UserInfo response was expected but the provider sent plain JSON.',
        { claim: 'userinfo', reason: 'invalid', cause: safe },
      )
    default:
      return mapInvalid(err, stage, safe, message)
  }
}

function claimError(
  claim: string,
  reason: TokenValidationError['reason'],
  what: string,
  cause: unknown,
  expected?: unknown,
): TokenValidationError {
  return new TokenValidationError(
    'ERR_JWT_CLAIM_VALIDATION_FAILED',
    withHint(`The ID token ${what}.`, 'claim', claim, expected),
    { claim, reason, cause },
  )
}

function mapInvalid(
  err: OperationProcessingError,
  stage: Stage,
  safe: Error | undefined,
  message: string,
): unknown {
  if (stage === 'callback') {
    const claim = /"iss"/.test(message) ? 'iss' : /"state"/.test(message) ? 'state' : 'code'
    const missing = /missing/.test(message)
    const advice =
      claim === 'iss'
        ? withHint(
            missing
              ? 'The callback has no "iss" (RFC 9207).'
              : 'The callback\'s "iss" is not this client\'s issuer (RFC 9207).',
            'mixUp',
            missing,
          )
        : claim === 'state'
          ? withHint(
              missing
                ? 'The callback has no "state".'
                : 'The callback\'s "state" does not match this login.',
              'csrf',
              missing,
            )
          : `The callback is invalid: ${message}.`
    return new TokenValidationError('ERR_AUTHORIZATION_RESPONSE_INVALID', advice, {
      claim,
      reason: missing ? 'missing' : 'mismatch',
      cause: safe,
    })
  }
  if (/signature verification failed/.test(message)) {
    return new TokenValidationError(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      withHint("The ID token's signature does not verify with the issuer's key.", 'forged'),
      { claim: 'signature', reason: 'invalid', cause: safe },
    )
  }
  if (/"alg"/.test(message)) {
    const header = isObject(err.cause) && isObject(err.cause.header) ? err.cause.header : {}
    return new TokenValidationError(
      'ERR_JWT_INVALID',
      withHint(
        `The token is signed with "${String(header.alg)}", which this client does not accept.`,
        'algorithm',
        isObject(err.cause) ? err.cause.expected : undefined,
      ),
      { claim: 'alg', reason: 'unsupported', cause: safe },
    )
  }
  const missingClaim = /JWT "(\w+)" .*claim missing/.exec(message)
  if (missingClaim?.[1]) {
    return claimError(missingClaim[1], 'missing', `has no "${missingClaim[1]}" claim`, safe)
  }
  const badType = /unexpected JWT "(\w+)" .*claim type/.exec(message)
  if (badType?.[1]) {
    return claimError(badType[1], 'invalid', `has a mistyped "${badType[1]}" claim`, safe)
  }
  if (/ID Token "nonce"/.test(message)) {
    return claimError('nonce', 'mismatch', 'has the wrong "nonce"', safe)
  }
  if (/JWT|ID Token/.test(message)) {
    return new TokenValidationError('ERR_JWT_INVALID', `The token is invalid: ${message}.`, {
      claim: 'jwt',
      reason: 'invalid',
      cause: safe,
    })
  }
  return new NetworkError(
    'ERR_RESPONSE_INVALID',
    withHint(`The ${stage} response is not a conforming answer: ${message}.`, 'nonConforming'),
    { cause: safe },
  )
}
