import { base64url, sha256 } from './random.js'

/** How much a {@link BoundedMap} may hold, and when an entry stops mattering. */
export interface BoundedMapOptions<V> {
  /** Most entries kept; adding one more evicts the oldest. */
  max: number
  /** About how many bytes of keys and values it may hold (UTF-16 strings plus overhead). */
  maxBytes: number
  /** Epoch seconds (the idp clock) after which an entry may be dropped by `prune()`. */
  expiresAt?: (value: V) => number
  /** Called for each entry evicted or pruned (not for `delete()` or `clear()`). */
  onDrop?: (key: string, value: V) => void
}

interface Slot<V> {
  value: V
  bytes: number
}

/**
 * A string-keyed map with a ceiling: it never holds more than `max` entries or about `maxBytes`
 * bytes, evicting the oldest entries first (insertion order; updating a key keeps its place).
 * Every map a request can grow is one of these, so no flood of requests grows the server
 * without bound; `prune(now)` drops what has expired on the idp clock.
 */
export class BoundedMap<V> implements Iterable<[string, V]> {
  readonly max: number
  readonly maxBytes: number
  readonly #slots = new Map<string, Slot<V>>()
  readonly #expiresAt: ((value: V) => number) | undefined
  readonly #onDrop: ((key: string, value: V) => void) | undefined
  #bytes = 0

  constructor(options: BoundedMapOptions<V>) {
    this.max = options.max
    this.maxBytes = options.maxBytes
    this.#expiresAt = options.expiresAt
    this.#onDrop = options.onDrop
  }

  get size(): number {
    return this.#slots.size
  }

  /** The approximate bytes held, as counted against `maxBytes`. */
  get bytes(): number {
    return this.#bytes
  }

  get(key: string): V | undefined {
    return this.#slots.get(key)?.value
  }

  has(key: string): boolean {
    return this.#slots.has(key)
  }

  set(key: string, value: V): this {
    const bytes = approximateBytes(key) + approximateBytes(value)
    const old = this.#slots.get(key)
    if (old) {
      this.#bytes += bytes - old.bytes
      old.value = value
      old.bytes = bytes
    } else {
      this.#slots.set(key, { value, bytes })
      this.#bytes += bytes
    }
    for (const [oldest, slot] of this.#slots) {
      if (this.#slots.size <= this.max && this.#bytes <= this.maxBytes) break
      // The entry just added goes too if it alone is over the byte budget.
      this.#drop(oldest, slot)
    }
    return this
  }

  delete(key: string): boolean {
    const slot = this.#slots.get(key)
    if (!slot) return false
    this.#slots.delete(key)
    this.#bytes -= slot.bytes
    return true
  }

  clear(): void {
    this.#slots.clear()
    this.#bytes = 0
  }

  /** Drops every entry whose `expiresAt` is at or before `now` (epoch seconds, idp clock). */
  prune(now: number): void {
    const expiresAt = this.#expiresAt
    if (!expiresAt) return
    for (const [key, slot] of this.#slots) if (expiresAt(slot.value) <= now) this.#drop(key, slot)
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [key, slot] of this.#slots) yield [key, slot.value]
  }

  *values(): IterableIterator<V> {
    for (const slot of this.#slots.values()) yield slot.value
  }

  keys(): IterableIterator<string> {
    return this.#slots.keys()
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }

  #drop(key: string, slot: Slot<V>): void {
    this.delete(key)
    this.#onDrop?.(key, slot.value)
  }
}

/**
 * About how many bytes a stored value takes: two per string character (V8 may keep a string
 * as UTF-16) plus a rough overhead per value; objects and arrays two levels deep.
 */
export function approximateBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 16 + 2 * value.length
  if (typeof value !== 'object' || value === null || depth > 2) return 16
  let total = 64
  const items = Array.isArray(value) ? (value as unknown[]) : Object.values(value)
  for (const item of items) total += 16 + approximateBytes(item, depth + 1)
  return total
}

/**
 * A fixed-length key for a value an outsider chooses (a cookie, a username): `prefix` plus the
 * SHA-256 of the value, so a 16 KB cookie costs the map no more than a short one.
 */
export async function hashedKey(prefix: string, value: string): Promise<string> {
  return prefix + base64url(await sha256(value))
}
