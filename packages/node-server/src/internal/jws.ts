import { constants, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { TokenValidationError } from '@oidckit/core'

/** Every asymmetric JWS algorithm the verifier knows; `none` and HMAC are never in it (RP-2). */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const

type Verifier = (data: Buffer, key: KeyObject, signature: Buffer) => boolean

const pss = (hash: string, saltLength: number): Verifier => {
  return (data, key, signature) =>
    verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature)
}
const pkcs1 = (hash: string): Verifier => {
  return (data, key, signature) => verify(hash, data, key, signature)
}
const ecdsa = (hash: string): Verifier => {
  return (data, key, signature) => verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}
const eddsa: Verifier = (data, key, signature) => verify(null, data, key, signature)

const VERIFIERS: Record<string, Verifier> = {
  RS256: pkcs1('sha256'),
  RS384: pkcs1('sha384'),
  RS512: pkcs1('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ecdsa('sha256'),
  ES384: ecdsa('sha384'),
  ES512: ecdsa('sha512'),
  EdDSA: eddsa,
  Ed25519: eddsa,
}

/** Checks a JWS signature over `signingInput` with `node:crypto`; throws when it does not verify. */
export function verifySignature(
  alg: string,
  key: KeyObject,
  signingInput: string,
  signature: string,
): void {
  let ok = false
  try {
    ok = VERIFIERS[alg]!(
      Buffer.from(signingInput, 'latin1'),
      key,
      Buffer.from(signature, 'base64url'),
    )
  } catch {
    ok = false
  }
  if (!ok) {
    throw new TokenValidationError(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'The token signature does not verify with the issuer key.',
      { claim: 'signature', reason: 'invalid' },
    )
  }
}

/** Decodes one base64url JWT segment into a JSON object, or throws `ERR_JWT_INVALID`. */
export function decodeSegment(
  segment: string,
  what: 'header' | 'payload',
): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenValidationError('ERR_JWT_INVALID', `The token ${what} is not a JSON object.`, {
      claim: what,
      reason: 'invalid',
    })
  }
  return value as Record<string, unknown>
}
