import { argumentError, optionalNumber } from './internal/options.js'

/**
 * What a revocation record says: sessions matching its key that began at or before `at` are
 * over. It is kept `ttl` seconds, no shorter than a session can live.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * await revoked.add('sid:08a5019c', { at: 1_700_000_000, ttl: 604_800 })
 * ```
 */
export interface Revocation {
  /** Seconds since the epoch: sessions that began at or before it are ended. */
  readonly at: number
  /** Seconds to keep the record. */
  readonly ttl: number
}

/**
 * A denylist of ended sessions for the cookie-only mode of {@link createWebAuth}: a cookie held
 * by the browser cannot be deleted from the server, so back-channel logout records the ended
 * `sid` (key `sid:<sid>`) or user (key `sub:<sub>`) here, and every request checks it. It
 * records a time, not a flag, so that ending a user's sessions does not refuse their next login.
 * Share one between processes (e.g. over Redis) in a fleet; a rejecting method fails closed.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * const revokedSessions: RevokedSessions = {
 *   async add(key, { at, ttl }) { await redis.set(`revoked:${key}`, String(at), { EX: ttl }) },
 *   async revokedAt(key) { const at = await redis.get(`revoked:${key}`); return at ? Number(at) : undefined },
 * }
 * ```
 */
export interface RevokedSessions {
  /** Records a revocation; when the key is already there the later `at` wins. */
  add(key: string, revocation: Revocation): Promise<void> | void
  /** The `at` recorded for the key (seconds), or `undefined`. */
  revokedAt(key: string): Promise<number | undefined> | number | undefined
}

/**
 * Options of {@link memoryRevokedSessions}.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * const options: MemoryRevokedSessionsOptions = { max: 100_000 }
 * ```
 */
export interface MemoryRevokedSessionsOptions {
  /** Most records kept; past it the oldest is dropped. Default 100 000. */
  max?: number | undefined
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: (() => number) | undefined
}

/**
 * A {@link RevokedSessions} list in this process's memory, for a single process: records expire
 * on the clock, and past `max` the oldest is dropped (only the provider's signed logout tokens add
 * records).
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` on a `max` below 1.
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * import { createWebAuth, memoryRevokedSessions } from '@oidckit/node-server'
 *
 * const web = createWebAuth({ ...options, revokedSessions: memoryRevokedSessions() })
 * ```
 */
export function memoryRevokedSessions(options: MemoryRevokedSessionsOptions = {}): RevokedSessions {
  const max = optionalNumber(options.max, '`max`') ?? 100_000
  if (max < 1) throw argumentError('ERR_INVALID_ARG_VALUE', '`max` must be at least 1.')
  const clock = options.clock ?? Date.now
  const records = new Map<string, { at: number; until: number }>()
  return {
    add(key, { at, ttl }) {
      const previous = records.get(key)
      records.delete(key)
      records.set(key, { at: Math.max(at, previous?.at ?? at), until: clock() + ttl * 1000 })
      while (records.size > max) records.delete(records.keys().next().value as string)
    },
    revokedAt(key) {
      const record = records.get(key)
      if (!record) return undefined
      if (clock() >= record.until) {
        records.delete(key)
        return undefined
      }
      return record.at
    },
  }
}
