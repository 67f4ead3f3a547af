import { hashedKey } from './internal/bounded-map.js'
import type { IdpContext } from './internal/context.js'
import { constantTimeEqual, randomToken } from './internal/random.js'
import type { ResolvedUser } from './internal/resolve-config.js'

/** After this many wrong passwords for one username in {@link PASSWORD_WINDOW}, it is locked. */
export const MAX_PASSWORD_FAILURES = 10
/** Seconds from a username's first wrong password until its count starts again. */
export const PASSWORD_WINDOW = 300

/** The user whose password matched, or none and, while the username is locked, the seconds left. */
export interface PasswordCheck {
  user: ResolvedUser | undefined
  retryAfter: number
}

/**
 * Checks a username and password from a login form (the authorization endpoint's or the device
 * page's), compared in constant time. Wrong passwords are counted per username, on the idp
 * clock: after {@link MAX_PASSWORD_FAILURES} in a window, every attempt for that username, the
 * right password included, is refused until the window ends. Unknown usernames are counted
 * too, apart, so they answer exactly like known ones, and junk names never crowd out a real
 * user's count.
 */
export async function checkPassword(
  ctx: IdpContext,
  username: string | undefined,
  password: string | undefined,
): Promise<PasswordCheck> {
  if (username === undefined || password === undefined) return { user: undefined, retryAfter: 0 }
  const user = ctx.users.get(username)
  const counter = user ? ctx.store.passwordFailures : ctx.store.unknownUserFailures
  const key = await hashedKey('user:', username)
  const now = ctx.clock.now()
  const retryAfter = counter.retryAfter(key, MAX_PASSWORD_FAILURES, now)
  if (retryAfter > 0) return { user: undefined, retryAfter }
  // Compare even for unknown users so the timing does not reveal which usernames exist.
  const ok = constantTimeEqual(password, user?.password ?? randomToken(16))
  if (ok && user) return { user, retryAfter: 0 }
  counter.fail(key, PASSWORD_WINDOW, now)
  return { user: undefined, retryAfter: 0 }
}

/** What the login form says while a username is locked. */
export function lockedMessage(retryAfter: number): string {
  const minutes = Math.ceil(retryAfter / 60)
  return `Too many failed sign-ins for this username. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
}
