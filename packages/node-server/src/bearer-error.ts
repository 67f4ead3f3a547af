import { OidcKitError, TokenValidationError } from '@oidckit/core'
import { requiredScopesOf } from './internal/claims.js'

/**
 * An HTTP answer to a refused request, runtime-neutral: a status, headers and a JSON body.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @example
 * ```ts
 * const { status, headers, body } = toBearerError(err)
 * ```
 */
export interface BearerError {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: { readonly error: string; readonly error_description: string }
}

/** Options of {@link toBearerError}. */
export interface BearerErrorOptions {
  /** The `realm` of the `WWW-Authenticate` challenge. */
  realm?: string | undefined
}

const quote = (value: string) => `"${value.replace(/[^\x20-\x7e]|["\\]/g, '')}"`

function challenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${quote(value)}`)
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer'
}

const DESCRIPTIONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'The access token expired.',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'The access token signature is invalid.',
  ERR_JWKS_NO_MATCHING_KEY: 'The access token was signed with an unknown key.',
}

/**
 * Maps a verification error to its RFC 6750 answer: a missing token is 401 with a bare
 * `Bearer` challenge, a malformed `Authorization` header 400 `invalid_request`, a bad token
 * 401 `invalid_token`, a missing scope 403 `insufficient_scope` with `scope=`; an unreachable
 * issuer 503 and anything else 500, with a fixed message and never a stack trace.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @example
 * ```ts
 * try {
 *   await verifier.verifyRequest(request)
 * } catch (err) {
 *   const { status, headers, body } = toBearerError(err)
 * }
 * ```
 */
export function toBearerError(err: unknown, options?: BearerErrorOptions): BearerError {
  const realm = options?.realm
  const make = (status: number, error: string, description: string, extra = {}) => ({
    status,
    headers: {
      'www-authenticate': challenge({ realm, error, error_description: description, ...extra }),
      'cache-control': 'no-store',
    },
    body: { error, error_description: description },
  })
  if (err instanceof TokenValidationError) {
    if (err.claim === 'authorization' && err.reason === 'missing') {
      const answer = make(401, 'invalid_token', 'A bearer token is required.')
      return { ...answer, headers: { ...answer.headers, 'www-authenticate': challenge({ realm }) } }
    }
    if (err.claim === 'authorization') return make(400, 'invalid_request', err.message)
    const scopes = requiredScopesOf(err)
    if (scopes) {
      return make(403, 'insufficient_scope', 'The access token lacks a required scope.', {
        scope: scopes.join(' '),
      })
    }
    return make(401, 'invalid_token', DESCRIPTIONS[err.code] ?? 'The access token is invalid.')
  }
  const headers = { 'cache-control': 'no-store' }
  if (err instanceof OidcKitError) {
    return {
      status: 503,
      headers: { ...headers, 'retry-after': '5' },
      body: {
        error: 'temporarily_unavailable',
        error_description: 'The access token could not be checked with its issuer.',
      },
    }
  }
  return {
    status: 500,
    headers,
    body: { error: 'server_error', error_description: 'The access token could not be checked.' },
  }
}

/**
 * The RFC 6750 error answer for a verification error, as a web-standard `Response`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @example
 * ```ts
 * const response = await verifier.verifyRequest(request).then(() => handle(request), (err) => bearerErrorResponse(err))
 * ```
 */
export function bearerErrorResponse(err: unknown, options?: BearerErrorOptions): Response {
  const { status, headers, body } = toBearerError(err, options)
  return Response.json(body, { status, headers })
}
