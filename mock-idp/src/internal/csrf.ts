import type { IdpContext } from './context.js'
import { CSRF_COOKIE, readCookie, serializeCookie } from './cookies.js'
import { constantTimeEqual, randomToken } from './random.js'

/**
 * Double-submit CSRF protection for the login and device forms (AS-10): the form carries the
 * value of a cookie that a cross-site attacker can neither read nor set.
 */
export function csrfToken(
  ctx: IdpContext,
  request: Request,
): { token: string; setCookie?: string } {
  const existing = readCookie(request, CSRF_COOKIE)
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { token: existing }
  const token = randomToken(32)
  return { token, setCookie: serializeCookie(ctx, CSRF_COOKIE, token) }
}

/** Whether the submitted form carries the CSRF cookie's value. */
export function checkCsrf(request: Request, submitted: string | undefined): boolean {
  const cookie = readCookie(request, CSRF_COOKIE)
  return !!cookie && submitted !== undefined && constantTimeEqual(submitted, cookie)
}
