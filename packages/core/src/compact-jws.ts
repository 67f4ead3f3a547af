const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const COMPACT = /^([\w-]+)\.([\w-]*)\.([\w-]*)$/

/**
 * Whether `token` is a JWS in compact serialization with every segment in canonical base64url:
 * the URL-safe alphabet, no padding, no stray characters, and zero unused trailing bits (RFC 7515
 * §2, §3.1, §7.1). Lenient decoders read `==` padding, the `+/` alphabet or altered trailing bits
 * as the same bytes, which turns one token into many strings: a check that refuses anything else
 * keeps a token's string, and so every cache, denylist and log keyed on it, unique. An empty
 * payload or signature is well formed (an unsecured JWS): refusing `alg: none` is the signature
 * check's job, which names the `alg` as the reason.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-2
 * @example
 * isCompactJws('eyJhbGciOiJSUzI1NiJ9.e30.c2ln') // true
 * isCompactJws('eyJhbGciOiJSUzI1NiJ9.e30=.c2ln') // false: padding
 */
export function isCompactJws(token: unknown): token is string {
  if (typeof token !== 'string') return false
  const segments = COMPACT.exec(token)
  return (
    segments !== null &&
    isCanonical(segments[1]!) &&
    isCanonical(segments[2]!) &&
    isCanonical(segments[3]!)
  )
}

// A segment of length 4n+2 carries 4 unused bits in its last character, 4n+3 carries 2; 4n+1
// is not base64 at all.
function isCanonical(segment: string): boolean {
  const rest = segment.length % 4
  if (rest === 0) return true
  if (rest === 1) return false
  return ALPHABET.indexOf(segment[segment.length - 1]!) % (rest === 2 ? 16 : 4) === 0
}
