/** Base64url without padding (RFC 4648 §5). */
export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A random opaque value from the CSPRNG (AS-17): 32 bytes give 256 bits, above RFC 6749 §10.10. */
export function randomToken(bytes = 32): string {
  const buffer = new Uint8Array(bytes)
  crypto.getRandomValues(buffer)
  return base64url(buffer)
}

/** RFC 8628 §6.1: consonants only, so no word can be spelled and nothing looks alike. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

/** An 8-character user code from the base-20 alphabet (about 34.5 bits), without modulo bias. */
export function randomUserCode(): string {
  let code = ''
  const buffer = new Uint8Array(16)
  while (code.length < 8) {
    crypto.getRandomValues(buffer)
    for (const byte of buffer) {
      // 240 is the largest multiple of 20 below 256: reject the rest to keep the draw uniform.
      if (byte < 240 && code.length < 8) code += USER_CODE_ALPHABET[byte % 20]
    }
  }
  return code
}

/** `ABCDEFGH` → `ABCD-EFGH`, the form people read and type. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

/** Case-insensitive, dashes and spaces ignored (RFC 8628 §6.1). */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '')
}

const encoder = new TextEncoder()

/**
 * Compares two secrets in time that depends only on the length of `a`, never on where they
 * differ (AS-6).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  let diff = left.length ^ right.length
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ (right[i] ?? 0)
  return diff === 0
}

/** SHA-256 of an ASCII string, base64url (PKCE S256, RFC 7636 §4.2). */
export async function sha256(input: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(input)))
}
