import type { IdpContext } from '../internal/context.js'
import { readBodyParams, required, type Params } from '../internal/params.js'
import { jsonResponse, ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { base64url, constantTimeEqual, randomToken, sha256 } from '../internal/random.js'
import { DEVICE_GRANT, type ResolvedClient } from '../internal/resolve-config.js'
import { checkResource, checkScopeAllowed, parseScope } from '../internal/scope.js'
import { noteTokenResponse } from '../request-log.js'
import { issueTokens, type TokenResponseBody } from '../tokens.js'

const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/
const SUPPORTED = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT]

/**
 * The token endpoint (RFC 6749 §3.2): authorization_code with PKCE S256, refresh_token with
 * rotation, client_credentials and the device grant. Form bodies and JSON bodies.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export async function tokenEndpoint(
  ctx: IdpContext,
  request: Request,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'POST') {
    throw new ProtocolError('invalid_request', 'the token endpoint takes POST', 405, {
      allow: 'POST',
    })
  }
  const params = await readBodyParams(body, { json: true })
  const client = await ctx.clients.authenticate(request, params)
  const grantType = required(params, 'grant_type')
  if (!SUPPORTED.includes(grantType)) {
    throw new ProtocolError('unsupported_grant_type', `grant_type ${grantType} is not supported`)
  }
  if (!(client.grantTypes as string[]).includes(grantType)) {
    throw new ProtocolError('unauthorized_client', `this client may not use ${grantType}`)
  }
  let tokens: TokenResponseBody
  if (grantType === 'authorization_code') tokens = await authorizationCodeGrant(ctx, client, params)
  else if (grantType === 'refresh_token') tokens = await refreshTokenGrant(ctx, client, params)
  else if (grantType === 'client_credentials')
    tokens = await clientCredentialsGrant(ctx, client, params)
  else tokens = await deviceCodeGrant(ctx, client, params)
  return noteTokenResponse(jsonResponse(tokens), tokens as unknown as Record<string, unknown>)
}

async function authorizationCodeGrant(
  ctx: IdpContext,
  client: ResolvedClient,
  params: Params,
): Promise<TokenResponseBody> {
  const code = required(params, 'code')
  const record = ctx.store.takeCode(code)
  if (!record) throw new ProtocolError('invalid_grant', 'unknown authorization code')
  if (record === 'replayed') {
    // RFC 6749 §4.1.2, S-11: a replayed code has revoked what it issued.
    throw new ProtocolError('invalid_grant', 'authorization code already used')
  }
  if (record.expiresAt <= ctx.clock.now()) {
    throw new ProtocolError('invalid_grant', 'authorization code expired')
  }
  if (record.clientId !== client.clientId) {
    throw new ProtocolError('invalid_grant', 'authorization code was issued to another client')
  }
  const redirectUri = params.get('redirect_uri')
  if (
    record.redirectUriSent
      ? redirectUri !== record.redirectUri
      : redirectUri !== undefined && redirectUri !== record.redirectUri
  ) {
    throw new ProtocolError('invalid_grant', 'redirect_uri differs from the authorization request')
  }
  const verifier = params.get('code_verifier')
  if (record.codeChallenge === undefined) {
    // S-4: a verifier without a challenge is a downgrade attempt.
    if (verifier !== undefined)
      throw new ProtocolError('invalid_grant', 'no code_challenge was sent')
  } else {
    if (verifier === undefined) throw new ProtocolError('invalid_grant', 'code_verifier missing')
    if (!PKCE_VERIFIER.test(verifier)) {
      throw new ProtocolError(
        'invalid_request',
        'code_verifier must be 43-128 unreserved characters',
      )
    }
    const challenge = base64url(await sha256(verifier))
    if (!constantTimeEqual(challenge, record.codeChallenge)) {
      throw new ProtocolError('invalid_grant', 'code_verifier does not match the code_challenge')
    }
  }
  const user = ctx.users.bySub(record.sub)
  if (!user) throw new ProtocolError('invalid_grant', 'the user no longer exists')
  return issueTokens(ctx, {
    client,
    user,
    scope: record.scope,
    resource: record.resource,
    nonce: record.nonce,
    authTime: record.authTime,
    sid: record.sid,
    grantId: record.grantId,
    refresh: { expiresAt: undefined },
  })
}

async function refreshTokenGrant(
  ctx: IdpContext,
  client: ResolvedClient,
  params: Params,
): Promise<TokenResponseBody> {
  const token = required(params, 'refresh_token')
  const record = ctx.store.findRefreshToken(token)
  // AS-7: client A's refresh token is rejected for client B, without saying it exists.
  if (!record || record.clientId !== client.clientId) {
    throw new ProtocolError('invalid_grant', 'unknown refresh token')
  }
  if (record.used) {
    // S-6: presenting a rotated-out token revokes the whole family.
    ctx.store.revokeGrant(record.grantId)
    throw new ProtocolError('invalid_grant', 'refresh token already used; its family is revoked')
  }
  const now = ctx.clock.now()
  if (record.revoked) throw new ProtocolError('invalid_grant', 'refresh token revoked')
  if (record.expiresAt <= now || record.idleExpiresAt <= now) {
    throw new ProtocolError('invalid_grant', 'refresh token expired')
  }
  let scope = record.scope
  if (params.has('scope')) {
    scope = parseScope(params.get('scope'))
    const widened = scope.filter((s) => !record.scope.includes(s))
    if (widened.length > 0) {
      throw new ProtocolError('invalid_scope', `scope wider than granted: ${widened.join(' ')}`)
    }
  }
  const resource = params.get('resource')
  if (resource !== undefined && resource !== record.resource) {
    throw new ProtocolError('invalid_target', 'resource differs from the one granted')
  }
  const user = ctx.users.bySub(record.sub)
  if (!user) throw new ProtocolError('invalid_grant', 'the user no longer exists')
  ctx.store.markRefreshTokenUsed(record)
  return issueTokens(ctx, {
    client,
    user,
    scope,
    resource: record.resource,
    authTime: record.authTime,
    sid: record.sid,
    grantId: record.grantId,
    refresh: { expiresAt: record.expiresAt },
  })
}

async function clientCredentialsGrant(
  ctx: IdpContext,
  client: ResolvedClient,
  params: Params,
): Promise<TokenResponseBody> {
  if (client.isPublic)
    throw new ProtocolError('unauthorized_client', 'public clients cannot use it')
  const scope = params.has('scope') ? parseScope(params.get('scope')) : (client.scope ?? [])
  checkScopeAllowed(client, scope)
  if (scope.includes('openid') || scope.includes('offline_access')) {
    throw new ProtocolError('invalid_scope', 'client_credentials tokens carry no user scopes')
  }
  const resource = checkResource(client, params)
  const user = client.serviceAccount ? ctx.users.get(client.serviceAccount) : undefined
  return issueTokens(ctx, {
    client,
    user,
    scope,
    resource,
    grantId: undefined,
    refresh: false,
  })
}

async function deviceCodeGrant(
  ctx: IdpContext,
  client: ResolvedClient,
  params: Params,
): Promise<TokenResponseBody> {
  const deviceCode = required(params, 'device_code')
  const record = ctx.store.findDevice(deviceCode)
  if (!record || record.clientId !== client.clientId) {
    throw new ProtocolError('invalid_grant', 'unknown device_code')
  }
  const now = ctx.clock.now()
  if (record.status === 'used') throw new ProtocolError('invalid_grant', 'device_code already used')
  if (record.expiresAt <= now) throw new ProtocolError('expired_token', 'device_code expired')
  if (record.lastPolledAt !== undefined && now - record.lastPolledAt < record.interval) {
    // RFC 8628 §3.5: polled too fast; the interval grows by 5 s for this and later requests.
    record.interval += 5
    record.lastPolledAt = now
    throw new ProtocolError('slow_down', `poll at most every ${record.interval} seconds`)
  }
  record.lastPolledAt = now
  if (record.status === 'denied') {
    record.status = 'used'
    throw new ProtocolError('access_denied', 'the user denied the request')
  }
  if (record.status === 'pending') {
    throw new ProtocolError('authorization_pending', 'the user has not approved the request yet')
  }
  record.status = 'used'
  const user = record.sub === undefined ? undefined : ctx.users.bySub(record.sub)
  if (!user) throw new ProtocolError('invalid_grant', 'the user no longer exists')
  return issueTokens(ctx, {
    client,
    user,
    scope: record.scope,
    resource: record.resource,
    authTime: record.authTime,
    grantId: randomToken(16),
    refresh: { expiresAt: undefined },
  })
}
