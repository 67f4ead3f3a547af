/**
 * One signed-in session as {@link createWebAuth} keeps it in a {@link SessionStore}: a JSON
 * object. A store reads only `sub` and `sid` (to index the session for back-channel logout) and
 * must give back exactly what it was given; the rest (tokens, expiry, claims) is the web auth's.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * const session: StoredSession = { sub: 'user-alice', sid: '08a5019c', tokens: {} }
 * ```
 */
export interface StoredSession {
  /** The user's `sub`, from the ID token. */
  readonly sub: string
  /** The provider's session id (the ID token's `sid`), when it sends one. */
  readonly sid?: string | undefined
  readonly [field: string]: unknown
}

/**
 * Options of {@link SessionStore.set}.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * await store.set(id, session, { ttl: 3600 })
 * ```
 */
export interface SessionStoreSetOptions {
  /** Seconds until the entry expires, counted from this call (a rolling TTL). */
  readonly ttl: number
  /**
   * Write only when the entry still exists (a refresh or a renewal of a session that may have
   * been destroyed meanwhile), so a logout is never undone by a write that raced it.
   */
  readonly onlyIfExists?: boolean | undefined
}

/**
 * Where {@link createWebAuth} keeps server-side sessions when given `store`; the cookie then holds
 * only a random, MAC'd session id. Implement it over any database (Postgres, DynamoDB…);
 * `memorySessionStore()` and `redisSessionStore()` are included. Every method may reject when the
 * database is unreachable: the web auth then fails closed (no session is read, a 503 is sent).
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1
 * @example
 * ```ts
 * const web = createWebAuth({ ...options, store: memorySessionStore() })
 * ```
 */
export interface SessionStore {
  /** The session, or `undefined` when there is none or it expired. */
  get(id: string): Promise<StoredSession | undefined>
  /** Writes the session, expiring `ttl` seconds from now, and indexes it by `sid` and `sub`. */
  set(id: string, session: StoredSession, options: SessionStoreSetOptions): Promise<void>
  /** Removes the session and its index entries; an unknown id is no error. */
  destroy(id: string): Promise<void>
  /** Removes every session with this provider session id (back-channel logout). */
  destroyBySid(sid: string): Promise<void>
  /** Removes every session of this user (back-channel logout without `sid`). */
  destroyBySub(sub: string): Promise<void>
}
