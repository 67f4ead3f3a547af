/**
 * One access token as a shared cache keeps it: what the token source needs to serve it in
 * another process, with times in milliseconds since the epoch.
 */
export interface SharedTokenEntry {
  readonly accessToken: string
  readonly tokenType: string
  readonly scope: string | undefined
  /** The provider's `expires_in`, in seconds, when it sent one. */
  readonly expiresIn: number | undefined
  /** When the token request was sent: its lifetime counts from here. */
  readonly issuedAt: number
  /** When the token expires (`issuedAt` plus its lifetime). */
  readonly expiresAt: number
}

/**
 * A cache that every process of a fleet shares, so they use one token between them: the seam
 * `redisTokenCache()` implements, and that another store (Memcached, a database) can too.
 * Keys are opaque, fixed-length strings, one per client and (scope, resource). Any method may
 * reject when the store is down: the token source then serves from its process cache and asks
 * the provider directly, reporting a `cache_failed` event.
 *
 * @example
 * ```ts
 * const cache: SharedTokenCache = redisTokenCache({ client, secret: process.env.TOKEN_CACHE_SECRET! })
 * ```
 */
export interface SharedTokenCache {
  /** The entry stored under `key`, or `undefined`; an entry that cannot be read is `undefined` too. */
  get(key: string): Promise<SharedTokenEntry | undefined>
  /** Stores `entry` under `key` for `ttl` milliseconds, replacing any other. */
  set(key: string, entry: SharedTokenEntry, ttl: number): Promise<void>
  /** Removes the entry under `key` only if it still holds `accessToken`: a newer one stays. */
  delete(key: string, accessToken: string): Promise<void>
  /**
   * Takes the fleet-wide lock of `key` for at most `ttl` milliseconds: resolves a function that
   * releases it (only if still held by this caller), or `undefined` when another holds it.
   */
  lock(key: string, ttl: number): Promise<(() => Promise<void>) | undefined>
}
