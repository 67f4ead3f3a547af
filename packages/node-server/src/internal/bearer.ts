import { TokenValidationError } from '@oidckit/core'

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** A missing credential: RFC 6750 §3.1 answers it with a bare `Bearer` challenge. */
export function missingToken(): TokenValidationError {
  return new TokenValidationError('ERR_JWT_INVALID', 'The request has no bearer token.', {
    claim: 'authorization',
    reason: 'missing',
  })
}

function malformed(message: string): TokenValidationError {
  return new TokenValidationError('ERR_JWT_INVALID', message, {
    claim: 'authorization',
    reason: 'invalid',
  })
}

/**
 * Reads the one bearer credential of an `Authorization` header (RP-15): the scheme is
 * case-insensitive and exactly one b64token must follow. `values` holds every header line sent.
 */
export function parseBearer(values: readonly string[] | string | null | undefined): string {
  const list = values == null ? [] : typeof values === 'string' ? [values] : values
  if (list.length === 0) throw missingToken()
  if (list.length > 1) throw malformed('The request has more than one Authorization header.')
  const value = list[0]!
  if (value.length > 16_384) throw malformed('The Authorization header is too long.')
  const match = BEARER.exec(value)
  if (!match) {
    if (!/^bearer\b/i.test(value.trim())) {
      throw malformed('The Authorization header does not use the Bearer scheme.')
    }
    throw malformed('The Authorization header must carry exactly one bearer token.')
  }
  return match[1]!
}
