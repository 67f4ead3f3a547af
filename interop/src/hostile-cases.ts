import { expect } from 'vitest'
import { NetworkError, OidcKitError, TokenValidationError } from '@oidckit/core'
import type { NetworkErrorCode, TokenValidationErrorCode } from '@oidckit/core'
import type { JwtFault, TokenEndpointFault } from './hostile-provider.js'

/** A broken ID token, the requirement it breaks, and what core-based packages must throw. */
export interface IdTokenCase {
  fault: JwtFault
  req: string
  why: string
  code: TokenValidationErrorCode
  claim: string
}

/** The ID token cases every package that validates ID tokens (through core) must refuse. */
export const ID_TOKEN_CASES: readonly IdTokenCase[] = [
  {
    fault: 'bad-signature',
    req: 'RP-2',
    why: 'signature is not by a key of the issuer',
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    claim: 'signature',
  },
  {
    fault: 'alg-none',
    req: 'RP-2',
    why: 'alg is none',
    code: 'ERR_JWT_INVALID',
    claim: 'alg',
  },
  {
    fault: 'hs256-public-key',
    req: 'RP-2',
    why: 'HS256 MAC is keyed with the RSA public key',
    code: 'ERR_JWT_INVALID',
    claim: 'alg',
  },
  {
    fault: 'wrong-iss',
    req: 'RP-1',
    why: 'iss is another issuer',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'iss',
  },
  {
    fault: 'wrong-aud',
    req: 'RP-1',
    why: 'aud is another client',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'aud',
  },
  {
    fault: 'multiple-aud-no-azp',
    req: 'RP-1',
    why: 'several audiences come without azp',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'azp',
  },
  {
    fault: 'expired',
    req: 'RP-1',
    why: 'exp has passed',
    code: 'ERR_JWT_EXPIRED',
    claim: 'exp',
  },
  {
    fault: 'future-iat',
    req: 'RP-1',
    why: 'iat is in the future',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'iat',
  },
  {
    fault: 'not-yet-valid',
    req: 'RP-1',
    why: 'nbf is in the future',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'nbf',
  },
  {
    fault: 'missing-nonce',
    req: 'C-16',
    why: 'nonce is missing',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'nonce',
  },
  {
    fault: 'wrong-nonce',
    req: 'C-16',
    why: 'nonce is not the one sent',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'nonce',
  },
  {
    fault: 'missing-sub',
    req: 'RP-1',
    why: 'sub is missing',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'sub',
  },
]

/** Key-selection cases (RP-3, RFC 8725 §3.10), with the codes core raises for them. */
export const KEY_CASES: readonly IdTokenCase[] = [
  {
    fault: 'embedded-jwk',
    req: 'RP-3',
    why: 'key comes in its own jwk header',
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    claim: 'signature',
  },
  {
    fault: 'jku-header',
    req: 'RP-3',
    why: 'jku header points at another JWKS',
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    claim: 'signature',
  },
  {
    fault: 'weak-rsa-key',
    req: 'RP-3',
    why: 'RSA key is shorter than 2048 bits',
    code: 'ERR_JWT_INVALID',
    claim: 'header',
  },
]

/**
 * The request timeout, in ms, for every case whose endpoint answers, however badly: far beyond
 * vitest's 20 s test timeout, so a busy machine makes such a case slower but never changes its
 * outcome.
 */
export const GENEROUS_TIMEOUT = 60_000

/**
 * The request timeout, in ms, for a case whose endpoint never finishes its answer (`silence`,
 * `stalled-body`). There the timeout is the only way the call can end, so its length changes how
 * long the case waits, not what it asserts; vitest's test timeout catches an SDK that ignores it.
 */
export const SILENT_TIMEOUT = 500

/** A broken token endpoint answer and the NetworkError code it must become. */
export interface TokenEndpointCase {
  fault: TokenEndpointFault
  why: string
  code: NetworkErrorCode
}

export const TOKEN_ENDPOINT_CASES: readonly TokenEndpointCase[] = [
  { fault: 'html', why: 'an HTML page', code: 'ERR_RESPONSE_NOT_JSON' },
  { fault: 'invalid-json', why: 'JSON that does not parse', code: 'ERR_RESPONSE_NOT_JSON' },
  { fault: 'server-error', why: 'HTTP 500', code: 'ERR_SERVER_ERROR' },
  { fault: 'huge-body', why: 'a 5 MB body', code: 'ERR_RESPONSE_TOO_LARGE' },
  { fault: 'silence', why: 'no answer at all', code: 'ERR_TIMEOUT' },
  { fault: 'stalled-body', why: 'a body that stalls midway', code: 'ERR_TIMEOUT' },
  { fault: 'redirect', why: 'a redirect to another host', code: 'ERR_UNEXPECTED_STATUS' },
  { fault: 'not-an-object', why: 'a JSON array', code: 'ERR_RESPONSE_INVALID' },
]

/** Awaits `promise`, expecting it to reject; returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, but the call succeeded')
    },
    (err: unknown) => err,
  )
}

/** Asserts a TokenValidationError with the case's code and claim. */
export function expectTokenValidationError(
  err: unknown,
  expected: { code: string; claim: string },
) {
  expect(err).toBeInstanceOf(TokenValidationError)
  expect(err).toBeInstanceOf(OidcKitError)
  const e = err as TokenValidationError
  expect({ code: e.code, claim: e.claim }).toEqual({ code: expected.code, claim: expected.claim })
}

/** Asserts a NetworkError with the given code. */
export function expectNetworkError(err: unknown, code: string) {
  expect(err).toBeInstanceOf(NetworkError)
  expect(err).toBeInstanceOf(OidcKitError)
  expect((err as NetworkError).code).toBe(code)
}

/** Rows for `test.each` with `%s` titles: requirement, why, fault, then the case. */
export function jwtRows<T extends IdTokenCase>(cases: readonly T[]): [string, string, string, T][] {
  return cases.map((c) => [c.req, c.why, c.fault, c])
}

/** Rows for `test.each` with `%s` titles: why, code, then the case. */
export function endpointRows<T extends { why: string; code: string }>(
  cases: readonly T[],
): [string, string, T][] {
  return cases.map((c) => [c.why, c.code, c])
}
