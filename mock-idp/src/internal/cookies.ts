import type { IdpContext } from './context.js'
import { issuerPath } from './context.js'

export const SESSION_COOKIE = 'mock_idp_session'
export const CSRF_COOKIE = 'mock_idp_csrf'

/** Reads one cookie from the request, or `undefined`. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie')
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax by default (AS-10), Secure when the issuer is https. */
export function serializeCookie(
  ctx: IdpContext,
  name: string,
  value: string,
  maxAge?: number,
  sameSite: 'Lax' | 'Strict' = 'Lax',
): string {
  const parts = [
    `${name}=${value}`,
    `Path=${issuerPath(ctx) || '/'}`,
    'HttpOnly',
    `SameSite=${sameSite}`,
  ]
  if (ctx.config.issuer.startsWith('https:')) parts.push('Secure')
  if (maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(maxAge))}`)
  return parts.join('; ')
}
