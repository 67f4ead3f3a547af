import type { IdpContext } from './internal/context.js'
import { readCookie, serializeCookie, SESSION_COOKIE } from './internal/cookies.js'
import { randomToken } from './internal/random.js'
import type { ResolvedUser } from './internal/resolve-config.js'
import type { SessionRecord } from './records.js'

/** The live IdP session of this browser, if any. */
export function currentSession(
  ctx: IdpContext,
  request: Request,
): { id: string; session: SessionRecord } | undefined {
  const id = readCookie(request, SESSION_COOKIE)
  if (!id) return undefined
  const session = ctx.store.findSession(id)
  return session ? { id, session } : undefined
}

/** Stores a new session under a fresh random id, with a fresh `sid`. */
function newSession(
  ctx: IdpContext,
  user: ResolvedUser,
  clients?: string[],
): { id: string; session: SessionRecord } {
  const now = ctx.clock.now()
  const session: SessionRecord = {
    sid: randomToken(16),
    sub: user.sub,
    authTime: now,
    expiresAt: now + ctx.config.sessionTtl,
    ...(clients ? { clients } : {}),
  }
  return { id: ctx.store.saveSession(session), session }
}

/** Starts a new session (a fresh id at every login, against session fixation) and its cookie. */
export function startSession(
  ctx: IdpContext,
  user: ResolvedUser,
): { id: string; session: SessionRecord; cookie: string } {
  const { id, session } = newSession(ctx, user)
  return { id, session, cookie: serializeCookie(ctx, SESSION_COOKIE, id, ctx.config.sessionTtl) }
}

/**
 * Ends the browser's session at the IdP, telling its clients by back-channel logout, and returns
 * the cookie that clears it.
 */
export function endSession(ctx: IdpContext, request: Request): { cookie: string; sub?: string } {
  const current = currentSession(ctx, request)
  if (current) {
    ctx.store.endSession(current.id)
    void ctx.sessionEnded(current.session)
  }
  return { cookie: serializeCookie(ctx, SESSION_COOKIE, '', 0), sub: current?.session.sub }
}

/** Ends every IdP session of `sub`; resolves with how many, once each first delivery settled. */
export async function endSessionsOf(ctx: IdpContext, sub: string): Promise<number> {
  const ended = ctx.store.endSessionsOf(sub)
  await Promise.all(ended.map((session) => ctx.sessionEnded(session)))
  return ended.length
}

/**
 * A session for tokens minted without a browser (`idp.issueTokens()`), so their `sid` can be
 * ended like any other: no cookie ever names it.
 */
export function startApiSession(
  ctx: IdpContext,
  user: ResolvedUser,
  clientId: string,
): SessionRecord {
  return newSession(ctx, user, [clientId]).session
}
