import { userClaims } from '../claims.js'
import type { IdpContext } from '../internal/context.js'
import { readBodyParams } from '../internal/params.js'
import { jsonResponse, ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { verifyAccessToken } from '../tokens.js'

function bearerError(
  error: string | undefined,
  description: string,
  status: number,
): ProtocolError {
  // RFC 6750 §3: no error code when the request carried no token at all.
  const challenge = error
    ? `Bearer realm="mock-idp", error="${error}", error_description="${description}"`
    : 'Bearer realm="mock-idp"'
  return new ProtocolError(error ?? 'invalid_request', description, status, {
    'www-authenticate': challenge,
  })
}

/** The bearer token of a request: the Authorization header, or a form `access_token` (RFC 6750 §2). */
export async function bearerToken(body: RequestBody): Promise<string | undefined> {
  const { request } = body
  const header = request.headers.get('authorization')
  let fromBody: string | undefined
  if (request.method === 'POST' && request.headers.get('content-type')) {
    fromBody = (await readBodyParams(body, { json: false })).get('access_token')
  }
  if (header !== null) {
    const match = /^bearer +([\x21-\x7e]+) *$/i.exec(header)
    if (!match) throw bearerError('invalid_request', 'malformed Authorization header', 400)
    if (fromBody !== undefined) throw bearerError('invalid_request', 'token sent twice', 400)
    return match[1]
  }
  return fromBody
}

/**
 * The userinfo endpoint (OIDC Core §5.3): claims by the token's scope plus the user's
 * Hanzo-style claims. GET or POST with a bearer access token.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function userinfoEndpoint(
  ctx: IdpContext,
  request: Request,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') {
    throw new ProtocolError('invalid_request', 'userinfo takes GET or POST', 405, {
      allow: 'GET, POST',
    })
  }
  const token = await bearerToken(body)
  if (token === undefined) throw bearerError(undefined, 'a bearer access token is required', 401)
  const verified = await verifyAccessToken(ctx, token)
  if (!verified)
    throw bearerError('invalid_token', 'the access token is invalid, expired or revoked', 401)
  if (!verified.scope.includes('openid')) {
    throw bearerError('insufficient_scope', 'the access token lacks the openid scope', 403)
  }
  const user = ctx.users.bySub(verified.sub)
  if (!user) throw bearerError('invalid_token', 'the user no longer exists', 401)
  return jsonResponse({ ...userClaims(user, verified.scope), sub: user.sub })
}
