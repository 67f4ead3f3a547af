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
  DiscoveryErrorCode,
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
import type { Hint } from './hints.js'
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

/**
 * {@link mapError} for what is thrown without an HTTP response (the callback's validation). The
 * one-line message is oauth4webapi's own, with the exchange's secrets redacted; the class,
 * `code`, `claim` and `reason` say what failed.
 */
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
  const cause = safeCause(err, secrets)
  const message = redact(err instanceof Error ? err.message : String(err), secrets)
  const detail: Record<string, unknown> = isObject((err as Error).cause)
    ? ((err as Error).cause as Record<string, unknown>)
    : {}
  const claim = text(detail.claim)
  const line = (hint?: Hint, ...args: unknown[]) => {
    const first = `The ${stage} step failed: ${message}.`
    return hint ? withHint(first, hint as 'expired', ...(args as [])) : first
  }
  const invalid = (
    code: TokenValidationErrorCode,
    name: string,
    reason: TokenValidationReason,
    hint?: Hint,
    ...args: unknown[]
  ) => new TokenValidationError(code, line(hint, ...args), { claim: name, reason, cause })
  const claimFailed = (name: string, reason: TokenValidationReason, expected?: unknown) =>
    invalid('ERR_JWT_CLAIM_VALIDATION_FAILED', name, reason, 'claim', name, expected)
  const network = (code: NetworkErrorCode, hint?: Hint, status?: number) =>
    new NetworkError(code, line(hint), { status, cause })
  const discovery = (code: DiscoveryErrorCode, hint?: Hint) =>
    new DiscoveryError(code, line(hint), { cause })

  if (err instanceof UnsupportedOperationError) {
    return text(detail.alg)
      ? invalid('ERR_JWT_INVALID', 'alg', 'unsupported', 'asymmetric')
      : /implicit|hybrid/.test(message)
        ? invalid('ERR_AUTHORIZATION_RESPONSE_INVALID', 'response_type', 'unsupported', 'codeFlow')
        : /token_type/.test(message)
          ? network('ERR_RESPONSE_INVALID', 'tokenType')
          : invalid('ERR_JWT_INVALID', 'header', 'unsupported', 'signingConfig')
  }
  if (!(err instanceof OperationProcessingError)) return network('ERR_RESPONSE_INVALID')
  switch (err.code) {
    case JWT_TIMESTAMP_CHECK:
      return claim === 'exp'
        ? invalid('ERR_JWT_EXPIRED', 'exp', 'expired', 'expired')
        : claim === 'nbf'
          ? claimFailed('nbf', 'not_yet_valid')
          : claimFailed(claim ?? 'auth_time', 'expired')
    case JWT_CLAIM_COMPARISON:
      return claim === 'aud' && /untrusted/.test(message)
        ? claimFailed('azp', 'missing')
        : claimFailed(claim ?? 'unknown', 'mismatch', detail.expected)
    case JSON_ATTRIBUTE_COMPARISON:
      return detail.attribute === 'sub'
        ? invalid('ERR_USERINFO_SUBJECT_MISMATCH', 'sub', 'mismatch', 'subject', detail.expected)
        : discovery('ERR_DISCOVERY_INVALID')
    case KEY_SELECTION:
      return invalid(
        'ERR_JWKS_NO_MATCHING_KEY',
        'kid',
        'mismatch',
        /multiple/.test(message) ? 'missingKid' : 'unknownKey',
      )
    case PARSE_ERROR:
      return /JWT/.test(message)
        ? invalid('ERR_JWT_INVALID', 'jwt', 'invalid')
        : network('ERR_RESPONSE_NOT_JSON')
    case RESPONSE_IS_NOT_JSON:
      return network('ERR_RESPONSE_NOT_JSON')
    case RESPONSE_IS_NOT_CONFORM:
      return network(
        'ERR_UNEXPECTED_STATUS',
        'unexpectedStatus',
        err.cause instanceof Response ? err.cause.status : undefined,
      )
    case HTTP_REQUEST_FORBIDDEN:
    case REQUEST_PROTOCOL_FORBIDDEN:
      return discovery('ERR_INSECURE_ENDPOINT', 'insecure')
    case MISSING_SERVER_METADATA:
      return discovery('ERR_ENDPOINT_NOT_SUPPORTED', 'unsupported')
    case INVALID_SERVER_METADATA:
      return discovery('ERR_DISCOVERY_INVALID')
    case JWT_USERINFO_EXPECTED:
      return invalid('ERR_JWT_INVALID', 'userinfo', 'invalid')
  }
  if (stage === 'callback') {
    const name = /"iss"/.test(message) ? 'iss' : /"state"/.test(message) ? 'state' : 'code'
    const missing = /missing/.test(message)
    return invalid(
      'ERR_AUTHORIZATION_RESPONSE_INVALID',
      name,
      missing ? 'missing' : 'mismatch',
      name === 'iss' ? 'mixUp' : name === 'state' ? 'csrf' : undefined,
      missing,
    )
  }
  if (/signature verification failed/.test(message)) {
    return invalid('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'signature', 'invalid', 'forged')
  }
  if (/"alg"/.test(message)) {
    return invalid('ERR_JWT_INVALID', 'alg', 'unsupported', 'algorithm', detail.expected)
  }
  const named = /JWT "(\w+)" .*claim (missing|type)/.exec(message)
  if (named?.[1]) return claimFailed(named[1], named[2] === 'missing' ? 'missing' : 'invalid')
  if (/ID Token "nonce"/.test(message)) return claimFailed('nonce', 'mismatch')
  return /JWT|ID Token/.test(message)
    ? invalid('ERR_JWT_INVALID', 'jwt', 'invalid')
    : network('ERR_RESPONSE_INVALID', 'nonConforming')
}
