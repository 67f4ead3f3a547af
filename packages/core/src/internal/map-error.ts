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
import type {
  NetworkErrorCode,
  TokenValidationErrorCode,
  TokenValidationReason,
} from '../errors.js'
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

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function invalid(
  code: TokenValidationErrorCode,
  claim: string,
  reason: TokenValidationReason,
  message: string,
  cause: unknown,
): TokenValidationError {
  return new TokenValidationError(code, message, { claim, reason, cause })
}

function claimError(
  claim: string,
  reason: TokenValidationReason,
  what: string,
  cause: unknown,
  expected?: unknown,
): TokenValidationError {
  return invalid(
    'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim,
    reason,
    withHint(`The ID token ${what}.`, 'claim', claim, expected),
    cause,
  )
}

function network(code: NetworkErrorCode, message: string, cause: unknown): NetworkError {
  return new NetworkError(code, message, { cause })
}

/**
 * An {@link OAuthError} for the server's `error`, with the exchange's `secrets` redacted from
 * the server text kept (RP-10, RP-18).
 */
function refused(
  err: Error & { status?: number; response?: Response },
  stage: Stage,
  secrets: ReadonlySet<string> | undefined,
  serverError: string,
  description: string | undefined,
  uri: unknown,
): OAuthError {
  const error = redact(serverError, secrets)
  const errorDescription = redact(description, secrets)
  const callback = err instanceof AuthorizationResponseError
  return new OAuthError(
    callback ? 'ERR_AUTHORIZATION_RESPONSE' : 'ERR_OAUTH_RESPONSE',
    withHint(
      `The authorization server refused the ${callback ? 'authorization' : stage} request: ${error}${errorDescription ? ` (${errorDescription})` : ''}.`,
      'oauthError',
      error,
    ),
    {
      error,
      errorDescription,
      errorUri: redact(text(uri), secrets),
      status: err.status,
      response: safeResponse(err.response, secrets),
      cause: safeCause(err, secrets),
    },
  )
}

/**
 * Turns anything thrown while talking to the provider into an oidckit error. The original is
 * kept as `cause` only as a sanitized copy, and `secrets` (the credentials of the exchange) are
 * redacted from the server text kept (RP-10, RP-18). Caller misuse (`TypeError` with an
 * `ERR_INVALID_ARG_*` code) passes through. A `WWW-Authenticate` challenge without an `error`
 * parameter (e.g. `Basic realm="…"` on a failed client authentication) takes its error from the
 * JSON body, when there is one.
 */
export async function mapError(
  err: unknown,
  stage: Stage,
  secrets?: ReadonlySet<string>,
): Promise<unknown> {
  if (err instanceof WWWAuthenticateChallengeError) {
    const challenge = err.cause.find((c) => c.parameters.error) ?? err.cause[0]
    let body: unknown
    if (!challenge?.parameters.error && !err.response.bodyUsed) {
      body = await err.response
        .clone()
        .json()
        .catch(() => undefined)
    }
    const fields = isObject(body) && text(body.error) ? body : challenge?.parameters
    return refused(
      err,
      stage,
      secrets,
      text(fields?.error) || 'unauthorized',
      text(fields?.error_description),
      fields?.error_uri,
    )
  }
  return mapSync(err, stage, secrets)
}

/** {@link mapError} for what is thrown without an HTTP response (the callback's validation). */
export function mapSync(err: unknown, stage: Stage, secrets?: ReadonlySet<string>): unknown {
  if (
    err instanceof OidcKitError ||
    (err instanceof TypeError && /^ERR_INVALID_ARG_/.test(String((err as { code?: unknown }).code)))
  ) {
    return err
  }
  if (err instanceof ResponseBodyError) {
    return refused(err, stage, secrets, err.error, err.error_description, err.cause.error_uri)
  }
  if (err instanceof AuthorizationResponseError) {
    return refused(
      err,
      stage,
      secrets,
      err.error,
      err.error_description,
      err.cause.get('error_uri') ?? undefined,
    )
  }
  const safe = safeCause(err, secrets)
  const message = redact(err instanceof Error ? err.message : String(err), secrets)
  const cause: Record<string, unknown> = isObject((err as Error).cause)
    ? ((err as Error).cause as Record<string, unknown>)
    : {}
  const claim = text(cause.claim)
  if (err instanceof UnsupportedOperationError) {
    if (text(cause.alg)) {
      return invalid(
        'ERR_JWT_INVALID',
        'alg',
        'unsupported',
        withHint(`The token's JWS algorithm "${cause.alg as string}" is refused.`, 'asymmetric'),
        safe,
      )
    }
    if (/implicit|hybrid/.test(message)) {
      return invalid(
        'ERR_AUTHORIZATION_RESPONSE_INVALID',
        'response_type',
        'unsupported',
        withHint('The callback carries tokens (implicit or hybrid flow).', 'codeFlow'),
        safe,
      )
    }
    if (/token_type/.test(message)) {
      return network(
        'ERR_RESPONSE_INVALID',
        withHint(`The ${stage} response has an unsupported token_type.`, 'tokenType'),
        safe,
      )
    }
    return invalid(
      'ERR_JWT_INVALID',
      'header',
      'unsupported',
      withHint(`The token cannot be processed: ${message}.`, 'signingConfig'),
      safe,
    )
  }
  if (!(err instanceof OperationProcessingError)) {
    return network('ERR_RESPONSE_INVALID', `The ${stage} response is unusable: ${message}.`, safe)
  }
  switch (err.code) {
    case JWT_TIMESTAMP_CHECK:
      if (claim === 'exp') {
        return invalid(
          'ERR_JWT_EXPIRED',
          'exp',
          'expired',
          withHint('The ID token has expired.', 'expired'),
          safe,
        )
      }
      return claim === 'nbf'
        ? claimError('nbf', 'not_yet_valid', 'is not valid yet', safe)
        : claimError(claim ?? 'auth_time', 'expired', 'is too old for max_age', safe)
    case JWT_CLAIM_COMPARISON:
      return claim === 'aud' && /untrusted/.test(message)
        ? claimError('azp', 'missing', 'has several audiences and no "azp"', safe)
        : claimError(
            claim ?? 'unknown',
            'mismatch',
            `has the wrong "${claim}"`,
            safe,
            cause.expected,
          )
    case JSON_ATTRIBUTE_COMPARISON:
      if (cause.attribute === 'sub') {
        return invalid(
          'ERR_USERINFO_SUBJECT_MISMATCH',
          'sub',
          'mismatch',
          withHint('The UserInfo "sub" is not the expected one.', 'subject', cause.expected),
          safe,
        )
      }
      return new DiscoveryError('ERR_DISCOVERY_INVALID', `Invalid metadata: ${message}.`, {
        cause: safe,
      })
    case KEY_SELECTION:
      return invalid(
        'ERR_JWKS_NO_MATCHING_KEY',
        'kid',
        'mismatch',
        /multiple/.test(message)
          ? withHint('Several JWKS keys match the token, which has no "kid".', 'missingKid')
          : withHint('No JWKS key matches the token.', 'unknownKey'),
        safe,
      )
    case PARSE_ERROR:
      return /JWT/.test(message)
        ? invalid('ERR_JWT_INVALID', 'jwt', 'invalid', 'The token is not a well-formed JWT.', safe)
        : network('ERR_RESPONSE_NOT_JSON', `The ${stage} response is not JSON.`, safe)
    case RESPONSE_IS_NOT_JSON:
      return network(
        'ERR_RESPONSE_NOT_JSON',
        `The ${stage} response is not JSON: ${message}.`,
        safe,
      )
    case RESPONSE_IS_NOT_CONFORM: {
      const status = err.cause instanceof Response ? err.cause.status : undefined
      return new NetworkError(
        'ERR_UNEXPECTED_STATUS',
        withHint(`The ${stage} endpoint answered HTTP ${status}.`, 'unexpectedStatus'),
        { status, cause: safe },
      )
    }
    case HTTP_REQUEST_FORBIDDEN:
    case REQUEST_PROTOCOL_FORBIDDEN:
      return new DiscoveryError(
        'ERR_INSECURE_ENDPOINT',
        withHint(`Refusing ${String(err.cause)}: not https.`, 'insecure'),
        { cause: safe },
      )
    case MISSING_SERVER_METADATA:
    case INVALID_SERVER_METADATA: {
      const what = `The provider's metadata has ${text(cause.attribute)}`
      return err.code === MISSING_SERVER_METADATA
        ? new DiscoveryError(
            'ERR_ENDPOINT_NOT_SUPPORTED',
            withHint(`${what} missing.`, 'unsupported'),
            { cause: safe },
          )
        : new DiscoveryError('ERR_DISCOVERY_INVALID', `${what} invalid.`, { cause: safe })
    }
    case JWT_USERINFO_EXPECTED:
      return invalid('ERR_JWT_INVALID', 'userinfo', 'invalid', 'The UserInfo is not signed.', safe)
  }
  if (stage === 'callback') {
    const name = /"iss"/.test(message) ? 'iss' : /"state"/.test(message) ? 'state' : 'code'
    const missing = /missing/.test(message)
    return invalid(
      'ERR_AUTHORIZATION_RESPONSE_INVALID',
      name,
      missing ? 'missing' : 'mismatch',
      name === 'code'
        ? `The callback is invalid: ${message}.`
        : withHint(
            `The callback's "${name}" is ${missing ? 'missing' : 'wrong'}.`,
            name === 'iss' ? 'mixUp' : 'csrf',
            missing,
          ),
      safe,
    )
  }
  if (/signature verification failed/.test(message)) {
    return invalid(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'signature',
      'invalid',
      withHint("The ID token's signature does not verify.", 'forged'),
      safe,
    )
  }
  if (/"alg"/.test(message)) {
    return invalid(
      'ERR_JWT_INVALID',
      'alg',
      'unsupported',
      withHint(
        `The token's "alg" ${String(isObject(cause.header) ? cause.header.alg : undefined)} is refused.`,
        'algorithm',
        cause.expected,
      ),
      safe,
    )
  }
  const named = /JWT "(\w+)" .*claim (missing|type)/.exec(message)
  if (named?.[1]) {
    return named[2] === 'missing'
      ? claimError(named[1], 'missing', `has no "${named[1]}"`, safe)
      : claimError(named[1], 'invalid', `has a mistyped "${named[1]}"`, safe)
  }
  if (/ID Token "nonce"/.test(message)) {
    return claimError('nonce', 'mismatch', 'has the wrong "nonce"', safe)
  }
  return /JWT|ID Token/.test(message)
    ? invalid('ERR_JWT_INVALID', 'jwt', 'invalid', `The token is invalid: ${message}.`, safe)
    : network(
        'ERR_RESPONSE_INVALID',
        withHint(`The ${stage} response does not conform: ${message}.`, 'nonConforming'),
        safe,
      )
}
