import {
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomNonce,
  generateRandomState,
} from 'oauth4webapi'

/** A PKCE pair: keep `verifier` secret until the token request, send `challenge` to authorize. */
export interface Pkce {
  /** 43 characters of base64url randomness (32 bytes), the `code_verifier`. */
  readonly verifier: string
  /** `BASE64URL(SHA-256(verifier))`, the `code_challenge`. */
  readonly challenge: string
  /** Always `S256`; `plain` is never used (RFC 9700 §2.1.1). */
  readonly method: 'S256'
}

/**
 * Creates a fresh PKCE verifier and its S256 challenge, for one authorization request only.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @example
 * ```ts
 * import { createPkce } from '@oidckit/core'
 *
 * const pkce = await createPkce()
 * const url = client.authorizationUrl({ scope: 'openid', state, nonce, codeChallenge: pkce.challenge })
 * ```
 */
export async function createPkce(): Promise<Pkce> {
  const verifier = generateRandomCodeVerifier()
  return { verifier, challenge: await calculatePKCECodeChallenge(verifier), method: 'S256' }
}

/**
 * Creates a random `state` (32 bytes, base64url) to bind a callback to the request that
 * started it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @example
 * ```ts
 * import { randomState } from '@oidckit/core'
 *
 * const state = randomState()
 * ```
 */
export function randomState(): string {
  return generateRandomState()
}

/**
 * Creates a random `nonce` (32 bytes, base64url) to bind an ID token to the request that
 * started it.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
 * @example
 * ```ts
 * import { randomNonce } from '@oidckit/core'
 *
 * const nonce = randomNonce()
 * ```
 */
export function randomNonce(): string {
  return generateRandomNonce()
}
