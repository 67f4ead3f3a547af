import type { JWTPayload } from 'jose'
import { jose } from './internal/jose.js'
import { hanzoClaims, userClaims } from './claims.js'
import type { IdpContext } from './internal/context.js'
import { base64url, sha256 } from './internal/random.js'
import type { ResolvedClient, ResolvedUser } from './internal/resolve-config.js'
import type { RefreshTokenRecord } from './records.js'

/**
 * A successful token response (RFC 6749 §5.1), as the token endpoint and `idp.issueTokens()`
 * return it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @example
 * const tokens: TokenResponseBody = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
 */
export interface TokenResponseBody {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope: string
  id_token?: string
  refresh_token?: string
}

export interface IssueOptions {
  client: ResolvedClient
  user: ResolvedUser | undefined
  scope: string[]
  resource: string | undefined
  nonce?: string | undefined
  authTime?: number | undefined
  sid?: string | undefined
  /**
   * The grant the tokens belong to, revoked whole on code replay or refresh-token reuse; none
   * for client credentials, whose tokens keep no server-side state.
   */
  grantId: string | undefined
  /** A new refresh token, continuing a rotated one (keeping its absolute expiry), or none. */
  refresh: false | { expiresAt: number | undefined }
  /** Extra claims (`idp.issueTokens()` only); the ones mock-idp sets itself are refused before. */
  accessTokenClaims?: Record<string, unknown> | undefined
  idTokenClaims?: Record<string, unknown> | undefined
  /** Lifetimes in seconds, instead of the config's. */
  accessTokenTtl?: number | undefined
  idTokenTtl?: number | undefined
}

/** RFC 8707 resource, else the client's configured audience, else its client_id (S-7). */
export function accessTokenAudience(client: ResolvedClient, resource: string | undefined): string {
  return resource ?? client.audience ?? client.clientId
}

/** OIDC Core §3.1.3.6: left half of the SHA-256 of the access token. */
async function atHash(accessToken: string): Promise<string> {
  const digest = await sha256(accessToken)
  return base64url(digest.slice(0, digest.length / 2))
}

/** Mints an access token (RFC 9068), and an ID token and refresh token where they apply. */
export async function issueTokens(
  ctx: IdpContext,
  options: IssueOptions,
): Promise<TokenResponseBody> {
  const { client, user, scope } = options
  const { SignJWT } = await jose()
  const key = await ctx.keys.signingKey()
  const now = Math.floor(ctx.clock.now())
  const jti = ctx.store.newJti()
  const accessTtl = options.accessTokenTtl ?? ctx.config.accessTokenTtl
  const accessExpiresAt = now + accessTtl
  const aud = accessTokenAudience(client, options.resource)
  const sub = user?.sub ?? client.clientId
  const accessClaims: JWTPayload = {
    ...(user ? hanzoClaims(user) : {}),
    ...options.accessTokenClaims,
    client_id: client.clientId,
    scope: scope.join(' '),
    ...(options.authTime !== undefined ? { auth_time: Math.floor(options.authTime) } : {}),
    ...(options.sid ? { sid: options.sid } : {}),
  }
  const accessToken = await new SignJWT(accessClaims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ctx.config.issuer)
    .setSubject(sub)
    .setAudience(aud)
    .setIssuedAt(now)
    .setExpirationTime(accessExpiresAt)
    .setJti(jti)
    .sign(key.privateKey)
  const { grantId } = options
  if (grantId) ctx.store.saveGrantToken(jti, grantId, accessExpiresAt)
  const body: TokenResponseBody = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: accessTtl,
    scope: scope.join(' '),
  }
  if (user && scope.includes('openid')) {
    const idClaims: JWTPayload = {
      ...userClaims(user, scope),
      ...options.idTokenClaims,
      azp: client.clientId,
      at_hash: await atHash(accessToken),
      ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
      ...(options.authTime !== undefined ? { auth_time: Math.floor(options.authTime) } : {}),
      ...(options.sid ? { sid: options.sid } : {}),
    }
    body.id_token = await new SignJWT(idClaims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(ctx.config.issuer)
      .setSubject(user.sub)
      .setAudience(client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.idTokenTtl ?? ctx.config.idTokenTtl))
      .sign(key.privateKey)
  }
  if (options.refresh && grantId && user && client.grantTypes.includes('refresh_token')) {
    const expiresAt = options.refresh.expiresAt ?? now + ctx.config.refreshTokenTtl
    const refresh: RefreshTokenRecord = {
      clientId: client.clientId,
      sub: user.sub,
      scope,
      resource: options.resource,
      authTime: options.authTime ?? now,
      sid: options.sid,
      grantId,
      expiresAt,
      // BBA §6.3.2.3: rotation never extends the original maximum lifetime.
      idleExpiresAt: Math.min(expiresAt, now + ctx.config.refreshTokenIdleTtl),
      used: false,
      revoked: false,
    }
    body.refresh_token = ctx.store.saveRefreshToken(refresh)
  }
  return body
}

/** What a verified access token of ours says, read from its own signed claims (RFC 9068 §2.2). */
export interface VerifiedAccessToken {
  jti: string
  clientId: string
  sub: string
  scope: string[]
  aud: string
  payload: JWTPayload
}

/**
 * A verified access token of ours, or `undefined` if it is invalid in any way: bad signature,
 * expired by the virtual clock, revoked, or issued before the last `reset()`.
 */
export async function verifyAccessToken(
  ctx: IdpContext,
  token: string,
): Promise<VerifiedAccessToken | undefined> {
  if (token.length > 8192) return undefined
  const { createLocalJWKSet, jwtVerify } = await jose()
  let payload: JWTPayload
  try {
    const jwks = createLocalJWKSet(await ctx.keys.jwks())
    ;({ payload } = await jwtVerify(token, jwks, {
      issuer: ctx.config.issuer,
      typ: 'at+jwt',
      algorithms: [ctx.config.signingAlg],
      requiredClaims: ['exp', 'jti', 'sub', 'aud'],
      currentDate: new Date(ctx.clock.now() * 1000),
    }))
  } catch {
    return undefined
  }
  const { jti, sub, aud, client_id: clientId, scope } = payload
  if (typeof jti !== 'string' || !ctx.store.isAccessTokenLive(jti)) return undefined
  if (typeof sub !== 'string' || typeof aud !== 'string') return undefined
  if (typeof clientId !== 'string' || typeof scope !== 'string') return undefined
  return { jti, clientId, sub, scope: scope.split(' ').filter(Boolean), aud, payload }
}

/** The payload of an ID token we signed, expired or not (for `id_token_hint`), else `undefined`. */
export async function verifyIdTokenHint(
  ctx: IdpContext,
  token: string,
): Promise<JWTPayload | undefined> {
  if (token.length > 8192) return undefined
  const { compactVerify, createLocalJWKSet } = await jose()
  try {
    const jwks = createLocalJWKSet(await ctx.keys.jwks())
    const { payload, protectedHeader } = await compactVerify(token, jwks, {
      algorithms: [ctx.config.signingAlg],
    })
    if (protectedHeader.typ === 'at+jwt') return undefined
    const claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload
    if (claims.iss !== ctx.config.issuer || typeof claims.sub !== 'string') return undefined
    return claims
  } catch {
    return undefined
  }
}
