/** A JWT's header and payload, as the dashboard and the request log show them. */
export interface DecodedJwt {
  /** Where it was: a parameter name, `authorization`, `dpop`, or a token-response field. */
  name: string
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

const COMPACT_JWS = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
/** Longer values are not decoded, so a log entry stays small however large the request. */
const MAX_DECODED = 4096

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0))
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The header and payload of a compact JWS, unverified, without its signature (so what is kept
 * cannot be replayed); `undefined` for anything else.
 */
export function decodeJwt(name: string, value: string): DecodedJwt | undefined {
  if (value.length > MAX_DECODED || !COMPACT_JWS.test(value)) return undefined
  const [h, p] = value.split('.')
  const header = decodePart(h!)
  const payload = header && decodePart(p!)
  return header && payload ? { name, header, payload } : undefined
}
