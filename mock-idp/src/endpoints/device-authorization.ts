import type { IdpContext } from '../internal/context.js'
import { readBodyParams } from '../internal/params.js'
import { jsonResponse, ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { formatUserCode } from '../internal/random.js'
import { DEVICE_GRANT } from '../internal/resolve-config.js'
import { checkResource, checkScopeAllowed, parseScope } from '../internal/scope.js'

/**
 * The device authorization endpoint (RFC 8628 §3.1–3.2): a 256-bit `device_code` and an
 * 8-character base-20 `user_code` shown as XXXX-XXXX (AS-12).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export async function deviceAuthorizationEndpoint(
  ctx: IdpContext,
  request: Request,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'POST') {
    throw new ProtocolError('invalid_request', 'the device endpoint takes POST', 405, {
      allow: 'POST',
    })
  }
  const params = await readBodyParams(body, { json: true })
  const client = await ctx.clients.authenticate(request, params)
  if (!client.grantTypes.includes(DEVICE_GRANT)) {
    throw new ProtocolError('unauthorized_client', 'this client may not use the device flow')
  }
  const scope = parseScope(params.get('scope'))
  checkScopeAllowed(client, scope)
  const resource = checkResource(client, params)
  const now = ctx.clock.now()
  const { deviceCode, userCode } = ctx.store.saveDevice({
    clientId: client.clientId,
    scope,
    resource,
    expiresAt: now + ctx.config.deviceCodeTtl,
    interval: ctx.config.deviceCodeInterval,
    lastPolledAt: undefined,
    status: 'pending',
    sub: undefined,
    authTime: undefined,
  })
  const verificationUri = `${ctx.config.issuer}/device`
  return jsonResponse({
    device_code: deviceCode,
    user_code: formatUserCode(userCode),
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${formatUserCode(userCode)}`,
    expires_in: ctx.config.deviceCodeTtl,
    interval: ctx.config.deviceCodeInterval,
  })
}
