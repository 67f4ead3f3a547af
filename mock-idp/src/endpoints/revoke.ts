import type { IdpContext } from '../internal/context.js'
import { readBodyParams, required } from '../internal/params.js'
import { ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { verifyAccessToken } from '../tokens.js'

/**
 * Token revocation (RFC 7009). Revoking a refresh token revokes its whole grant, access tokens
 * included; a token of another client or an unknown token changes nothing and still answers 200
 * (AS-13).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revocationEndpoint(
  ctx: IdpContext,
  request: Request,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'POST') {
    throw new ProtocolError('invalid_request', 'revocation takes POST', 405, { allow: 'POST' })
  }
  const params = await readBodyParams(body, { json: true })
  const client = await ctx.clients.authenticate(request, params)
  const token = required(params, 'token')
  const refresh = ctx.store.findRefreshToken(token)
  if (refresh) {
    if (refresh.clientId === client.clientId) ctx.store.revokeGrant(refresh.grantId)
  } else {
    const verified = await verifyAccessToken(ctx, token)
    if (verified && verified.clientId === client.clientId) {
      ctx.store.revokeAccessToken(verified.jti, verified.payload.exp!)
    }
  }
  return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } })
}
