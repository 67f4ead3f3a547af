import type { IdpContext } from '../internal/context.js'
import { readBodyParams, required } from '../internal/params.js'
import { jsonResponse, ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { verifyAccessToken } from '../tokens.js'

/**
 * Token introspection (RFC 7662). Only confidential clients may ask (AS-14), and only about
 * tokens issued to them or naming them in `aud`; anything else is `{ "active": false }`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspectionEndpoint(
  ctx: IdpContext,
  request: Request,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'POST') {
    throw new ProtocolError('invalid_request', 'introspection takes POST', 405, { allow: 'POST' })
  }
  const params = await readBodyParams(body, { json: true })
  const client = await ctx.clients.authenticate(request, params)
  if (client.isPublic) {
    throw new ProtocolError('invalid_client', 'public clients may not introspect tokens', 401)
  }
  const token = required(params, 'token')
  const inactive = jsonResponse({ active: false })
  const now = ctx.clock.now()
  const refresh = ctx.store.findRefreshToken(token)
  if (refresh) {
    const active =
      refresh.clientId === client.clientId &&
      !refresh.used &&
      !refresh.revoked &&
      refresh.expiresAt > now &&
      refresh.idleExpiresAt > now
    if (!active) return inactive
    return jsonResponse({
      active: true,
      token_type: 'refresh_token',
      client_id: refresh.clientId,
      sub: refresh.sub,
      scope: refresh.scope.join(' '),
      exp: Math.floor(Math.min(refresh.expiresAt, refresh.idleExpiresAt)),
      iss: ctx.config.issuer,
    })
  }
  const verified = await verifyAccessToken(ctx, token)
  if (!verified) return inactive
  const { payload } = verified
  if (verified.clientId !== client.clientId && verified.aud !== client.clientId) return inactive
  return jsonResponse({
    active: true,
    token_type: 'Bearer',
    client_id: verified.clientId,
    sub: verified.sub,
    scope: verified.scope.join(' '),
    aud: verified.aud,
    iss: ctx.config.issuer,
    exp: payload.exp,
    iat: payload.iat,
    jti: verified.jti,
  })
}
