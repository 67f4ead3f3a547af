import { argumentError } from './errors.js'

// C-2 (RFC 9700 §4.11.1): after login, only same-origin relative paths; `//evil` and `/\evil`
// are protocol-relative in browsers, and `javascript:` is not a path at all.
export function sameOriginPath(value: unknown, origin: string): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/')) return undefined
  if (value.startsWith('//') || value.startsWith('/\\')) return undefined
  if ([...value].some((char) => char.charCodeAt(0) < 0x20)) return undefined
  let url: URL
  try {
    url = new URL(value, origin)
  } catch {
    return undefined
  }
  if (url.origin !== origin) return undefined
  return url.pathname + url.search + url.hash
}

export function checkReturnTo(value: unknown, origin: string): string {
  const path = sameOriginPath(value, origin)
  if (path === undefined) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`returnTo` must be a path on this origin starting with a single "/", such as "/account".',
    )
  }
  return path
}
