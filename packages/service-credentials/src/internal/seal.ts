import type { SharedTokenEntry } from '../shared-token-cache.js'

/** One AES-256-GCM key derived from a secret, and the id that names it in sealed values. */
export interface SealKey {
  readonly id: string
  readonly key: CryptoKey
}

const VERSION = 'v1'
/** Longer values are refused unread: a token entry is a few kilobytes at most. */
const MAX_SEALED_LENGTH = 64_000
const encoder = new TextEncoder()

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

/**
 * HKDF-SHA-256 from each secret to an AES-GCM key and, separately, a key id: a value sealed
 * under one secret names it, so rotation (`[new, old]`) opens both and a foreign secret is a
 * miss without trying every key.
 */
export async function deriveSealKeys(secrets: readonly string[]): Promise<SealKey[]> {
  return Promise.all(
    secrets.map(async (secret) => {
      const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
        'deriveKey',
        'deriveBits',
      ])
      const params = (info: string) => ({
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encoder.encode('oidckit'),
        info: encoder.encode(`oidckit token cache ${info}`),
      })
      const key = await crypto.subtle.deriveKey(
        params('A256GCM'),
        material,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      )
      const id = await crypto.subtle.deriveBits(params('key id'), material, 64)
      return { id: toBase64(new Uint8Array(id)).replace(/=+$/, ''), key }
    }),
  )
}

/**
 * `v1.<key id>.<iv>.<ciphertext>`, AES-GCM under the first key with the storage key as
 * additional data, so an entry copied to another key does not open.
 */
export async function sealEntry(
  entry: SharedTokenEntry,
  storageKey: string,
  keys: readonly SealKey[],
): Promise<string> {
  const { id, key } = keys[0]!
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plaintext = encoder.encode(
    JSON.stringify([
      entry.accessToken,
      entry.tokenType,
      entry.scope ?? null,
      entry.expiresIn ?? null,
      entry.issuedAt,
      entry.expiresAt,
    ]),
  )
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(`${VERSION}.${id}.${storageKey}`) },
    key,
    plaintext,
  )
  return `${VERSION}.${id}.${toBase64(iv)}.${toBase64(new Uint8Array(ciphertext))}`
}

/**
 * The entry in a sealed value, or `undefined` for anything else: another version, a key id
 * none of `keys` has, a tampered or truncated value, a wrong storage key, a malformed payload.
 */
export async function openEntry(
  sealed: unknown,
  storageKey: string,
  keys: readonly SealKey[],
): Promise<SharedTokenEntry | undefined> {
  if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_LENGTH) return undefined
  const [version, id, iv, ciphertext, extra] = sealed.split('.')
  const key = keys.find((candidate) => candidate.id === id)?.key
  if (version !== VERSION || key === undefined || ciphertext === undefined || extra !== undefined) {
    return undefined
  }
  try {
    const plaintext = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: fromBase64(iv!),
        additionalData: encoder.encode(`${VERSION}.${id}.${storageKey}`),
      },
      key,
      fromBase64(ciphertext),
    )
    return parseEntry(JSON.parse(new TextDecoder().decode(plaintext)))
  } catch {
    return undefined
  }
}

function parseEntry(value: unknown): SharedTokenEntry | undefined {
  if (!Array.isArray(value) || value.length !== 6) return undefined
  const [accessToken, tokenType, scope, expiresIn, issuedAt, expiresAt] = value as unknown[]
  const isTime = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n)
  if (typeof accessToken !== 'string' || accessToken === '' || typeof tokenType !== 'string') {
    return undefined
  }
  if (tokenType === '' || (scope !== null && typeof scope !== 'string')) return undefined
  if ((expiresIn !== null && !isTime(expiresIn)) || !isTime(issuedAt) || !isTime(expiresAt)) {
    return undefined
  }
  return {
    accessToken,
    tokenType,
    scope: scope ?? undefined,
    expiresIn: expiresIn ?? undefined,
    issuedAt,
    expiresAt,
  }
}
