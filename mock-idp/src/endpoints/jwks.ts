import type { IdpContext } from '../internal/context.js'
import { jsonResponse } from '../internal/protocol-error.js'
import { requireGet } from './discovery.js'

/**
 * The JWKS (RFC 7517 §5): the signing key, and retired keys within their grace period (AS-8).
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export async function jwksEndpoint(ctx: IdpContext, request: Request): Promise<Response> {
  requireGet(request)
  return jsonResponse(await ctx.keys.jwks(), 200, {
    'cache-control': 'no-cache',
    'content-type': 'application/jwk-set+json',
  })
}
