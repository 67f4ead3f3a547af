import { hkdfSync } from 'node:crypto'
import { EncryptJWT, jwtDecrypt } from 'jose'
import type { JWTPayload } from 'jose'

export type Purpose = 'session' | 'transaction'

/** 256-bit keys derived per secret and per purpose, so a transaction cookie never opens as a session. */
export function deriveKeys(secrets: readonly string[], purpose: Purpose): Uint8Array[] {
  return secrets.map(
    (secret) =>
      new Uint8Array(
        hkdfSync('sha256', secret, 'oidckit', `oidckit ${purpose} cookie A256GCM`, 32),
      ),
  )
}

/** Encrypts with the first key (`dir` + A256GCM JWE), expiring `ttl` seconds from `now`. */
export function seal(
  payload: JWTPayload,
  keys: readonly Uint8Array[],
  exp: number,
): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setExpirationTime(exp)
    .encrypt(keys[0]!)
}

/** Decrypts with any of the keys (secret rotation); `undefined` for anything invalid or expired. */
export async function unseal(
  value: string,
  keys: readonly Uint8Array[],
  now: number,
): Promise<JWTPayload | undefined> {
  if (value.length > 64_000) return undefined
  for (const key of keys) {
    try {
      const { payload } = await jwtDecrypt(value, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(now * 1000),
      })
      return payload
    } catch {
      // Try the next secret; a cookie no secret opens is no session.
    }
  }
  return undefined
}
