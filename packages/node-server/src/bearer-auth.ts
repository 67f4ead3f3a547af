import { bearerErrorResponse } from './bearer-error.js'
import { checkScopes, scopeList } from './internal/claims.js'
import { resolveVerifier } from './internal/resolve-verifier.js'
import type { AuthResult, TokenVerifier, TokenVerifierOptions } from './token-verifier.js'

/**
 * Per-route options of the adapters.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @example
 * ```ts
 * const options: RouteAuthOptions = { scopes: ['api:read'] }
 * ```
 */
export interface RouteAuthOptions {
  /** Scopes this route needs on top of the verifier's `requiredScopes`. */
  scopes?: string | readonly string[] | undefined
  /** The `realm` of `WWW-Authenticate` challenges. */
  realm?: string | undefined
}

/**
 * A web-standard guard for Hono, Next.js route handlers, Deno, Bun and workers: resolves to the
 * verified {@link AuthResult}, or to the RFC 6750 error `Response` to return as is.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @example
 * ```ts
 * const guard = bearerAuth({ issuer: 'http://localhost:9400', audience: 'http://localhost:4000' })
 * export async function GET(request: Request) {
 *   const auth = await guard(request)
 *   if (auth instanceof Response) return auth
 *   return Response.json({ sub: auth.claims.sub })
 * }
 * ```
 */
export function bearerAuth<Claims extends object = object>(
  verifier: TokenVerifier<Claims> | TokenVerifierOptions,
  options?: RouteAuthOptions,
): (request: Request) => Promise<Response | AuthResult<Claims>> {
  const resolved = resolveVerifier<Claims>(verifier)
  const scopes = scopeList(options?.scopes)
  return async (request) => {
    try {
      const auth = await resolved.verifyRequest(request)
      if (scopes.length) checkScopes(auth.scopes, scopes)
      return auth
    } catch (err) {
      return bearerErrorResponse(err, options)
    }
  }
}
