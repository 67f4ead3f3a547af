import { createTokenVerifier } from '../token-verifier.js'
import type { TokenVerifier, TokenVerifierOptions } from '../token-verifier.js'

/** Adapters take either a verifier or the options to make one. */
export function resolveVerifier<Claims extends object>(
  from: TokenVerifier<Claims> | TokenVerifierOptions,
): TokenVerifier<Claims> {
  if (typeof (from as TokenVerifier).verifyAuthorization === 'function') {
    return from as TokenVerifier<Claims>
  }
  return createTokenVerifier<Claims>(from as TokenVerifierOptions)
}
