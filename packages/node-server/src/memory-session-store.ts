import { argumentError, optionalNumber } from './internal/options.js'
import type { SessionStore, StoredSession } from './session-store.js'

/**
 * Options of {@link memorySessionStore}.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * const options: MemorySessionStoreOptions = { max: 50_000 }
 * ```
 */
export interface MemorySessionStoreOptions {
  /** Most sessions kept; past it the least recently written one is dropped. Default 10 000. */
  max?: number | undefined
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: (() => number) | undefined
}

interface Entry {
  session: StoredSession
  /** Milliseconds since the epoch. */
  expiresAt: number
}

/**
 * A {@link SessionStore} in this process's memory, for tests and single-process apps: bounded
 * (the least recently written session goes first when `max` is reached), entries expire on the
 * clock, and sessions are indexed by `sid` and `sub`. Sessions are lost on restart and not
 * shared between processes; use `redisSessionStore()` for a fleet.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` on a `max` below 1.
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * import { createWebAuth, memorySessionStore } from '@oidckit/node-server'
 *
 * const web = createWebAuth({ ...options, store: memorySessionStore({ max: 10_000 }) })
 * ```
 */
export function memorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const max = optionalNumber(options.max, '`max`') ?? 10_000
  if (max < 1) throw argumentError('ERR_INVALID_ARG_VALUE', '`max` must be at least 1.')
  const clock = options.clock ?? Date.now
  const entries = new Map<string, Entry>()
  const bySid = new Map<string, Set<string>>()
  const bySub = new Map<string, Set<string>>()

  const index = (map: Map<string, Set<string>>, key: string | undefined, id: string) => {
    if (key === undefined) return
    let ids = map.get(key)
    if (!ids) map.set(key, (ids = new Set()))
    ids.add(id)
  }
  const unindex = (map: Map<string, Set<string>>, key: string | undefined, id: string) => {
    const ids = key === undefined ? undefined : map.get(key)
    if (!ids) return
    ids.delete(id)
    if (ids.size === 0) map.delete(key!)
  }
  const remove = (id: string) => {
    const entry = entries.get(id)
    if (!entry) return
    entries.delete(id)
    unindex(bySid, entry.session.sid, id)
    unindex(bySub, entry.session.sub, id)
  }

  return {
    async get(id) {
      const entry = entries.get(id)
      if (!entry) return undefined
      if (clock() >= entry.expiresAt) {
        remove(id)
        return undefined
      }
      return structuredClone(entry.session)
    },
    async set(id, session, { ttl, onlyIfExists }) {
      const existing = entries.get(id)
      if (onlyIfExists && (!existing || clock() >= existing.expiresAt)) return
      remove(id)
      entries.set(id, { session: structuredClone(session), expiresAt: clock() + ttl * 1000 })
      index(bySid, session.sid, id)
      index(bySub, session.sub, id)
      // Map keeps insertion order: the first key is the least recently written session.
      while (entries.size > max) remove(entries.keys().next().value as string)
    },
    async destroy(id) {
      remove(id)
    },
    async destroyBySid(sid) {
      for (const id of [...(bySid.get(sid) ?? [])]) remove(id)
    },
    async destroyBySub(sub) {
      for (const id of [...(bySub.get(sub) ?? [])]) remove(id)
    },
  }
}
