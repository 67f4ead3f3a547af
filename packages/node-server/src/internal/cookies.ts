/** Reads a `Cookie` header; malformed pairs and undecodable values are skipped, never thrown. */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  if (!header || header.length > 65_536) return cookies
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 1) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"') && value.length > 1) value = value.slice(1, -1)
    try {
      value = decodeURIComponent(value)
    } catch {
      continue
    }
    if (!cookies.has(name)) cookies.set(name, value)
  }
  return cookies
}

export interface CookieAttributes {
  secure: boolean
  sameSite: 'Lax' | 'Strict'
  /** Seconds; 0 deletes the cookie. */
  maxAge?: number | undefined
}

/** A `Set-Cookie` value: always `HttpOnly`, `Path=/`, no `Domain` (RP-12). */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  let cookie = `${name}=${value}; Path=/; HttpOnly; SameSite=${attributes.sameSite}`
  if (attributes.secure) cookie += '; Secure'
  if (attributes.maxAge !== undefined)
    cookie += `; Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`
  return cookie
}
