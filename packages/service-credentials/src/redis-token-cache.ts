import { NetworkError } from '@oidckit/core'
import {
  argumentError,
  assertOptionalNumber,
  assertOptionalString,
  isObject,
} from './internal/assert.js'
import { deriveSealKeys, openEntry, sealEntry } from './internal/seal.js'
import type { SharedTokenCache } from './shared-token-cache.js'

/**
 * The Redis commands {@link redisTokenCache} sends, as node-redis v5 (`redis` on npm) names
 * them: a connected `createClient()` fits as it is; another client fits behind a few lines of
 * wrapping. Replies are read loosely: `null` is "no value", anything else a value.
 */
export interface RedisTokenCacheClient {
  get(key: string): Promise<unknown>
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'PX'; value: number }; condition?: 'NX' },
  ): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** How {@link redisTokenCache} reaches Redis and seals what it stores there. */
export interface RedisTokenCacheOptions {
  /** A connected client; give it `disableOfflineQueue: true` so commands fail fast in an outage. */
  client: RedisTokenCacheClient
  /**
   * At least 32 characters, the same in every process of the fleet. Tokens are sealed with a key
   * derived from the first; a list (`[new, old]`) also opens what older secrets sealed.
   */
  secret: string | readonly string[]
  /** Prefix of every key this cache writes. Default `oidckit:token:`. */
  keyPrefix?: string | undefined
  /** Milliseconds one command may take before it counts as a failure. Default 1000. */
  timeout?: number | undefined
}

// Deletes KEYS[1] only while it holds ARGV[1]: a lock released by its owner alone, a token
// dropped only if no newer one replaced it.
const COMPARE_AND_DELETE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

/**
 * A {@link SharedTokenCache} in Redis, so a fleet of processes uses one client-credentials
 * token (one token request per expiry, not one per process). Tokens are sealed with AES-256-GCM
 * (WebCrypto, key from `secret` by HKDF) and kept until they expire; an entry that does not open
 * (tampered, or sealed under another secret) is a miss. The fleet-wide lock is `SET NX PX` with
 * a random owner, released by a compare-and-delete script.
 *
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on bad options or a short
 *   secret. Its methods reject with NetworkError `ERR_CONNECTION_FAILED` or `ERR_TIMEOUT` when
 *   Redis fails, which the token source reports as a `cache_failed` event and works around.
 * @see https://redis.io/docs/latest/commands/set/
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createTokenSource, redisTokenCache } from '@oidckit/service-credentials'
 *
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 *   .on('error', () => {}) // reported through the token source's onEvent
 *   .connect()
 * const source = createTokenSource({
 *   issuer: 'https://id.example.com',
 *   clientId: 'billing-worker',
 *   clientSecret: process.env.CLIENT_SECRET!,
 *   cache: redisTokenCache({ client, secret: process.env.TOKEN_CACHE_SECRET! }),
 * })
 * ```
 */
export function redisTokenCache(options: RedisTokenCacheOptions): SharedTokenCache {
  if (!isObject(options)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'redisTokenCache() needs an options object.')
  }
  const client = options.client
  if (!isObject(client) || !['get', 'set', 'eval'].every((m) => typeof client[m] === 'function')) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      '`client` must be a Redis client with get(), set() and eval(), such as node-redis createClient().',
    )
  }
  const secrets: unknown[] = [options.secret].flat()
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.length >= 32)) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`secret` must be a string of at least 32 characters (or a list of them).',
    )
  }
  assertOptionalString(options.keyPrefix, '`keyPrefix`')
  assertOptionalNumber(options.timeout, '`timeout`', 1)
  const prefix = options.keyPrefix ?? 'oidckit:token:'
  const timeout = options.timeout ?? 1000
  const keys = deriveSealKeys(secrets as string[])
  keys.catch(() => undefined) // each use awaits it and reports the failure there

  const command = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new NetworkError('ERR_TIMEOUT', `Redis did not answer ${name} within ${timeout} ms.`),
          ),
        timeout,
      )
    })
    try {
      return await Promise.race([run(), expired])
    } catch (err) {
      if (err instanceof NetworkError) throw err
      throw new NetworkError('ERR_CONNECTION_FAILED', `Redis failed on ${name}.`, { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }
  const read = async (key: string) => {
    const sealed = await command('GET', () => client.get(key))
    return { sealed, entry: sealed == null ? undefined : await openEntry(sealed, key, await keys) }
  }

  return {
    async get(key) {
      return (await read(prefix + key)).entry
    },
    async set(key, entry, ttl) {
      const sealed = await sealEntry(entry, prefix + key, await keys)
      const px = { type: 'PX' as const, value: Math.max(1, Math.ceil(ttl)) }
      await command('SET', () => client.set(prefix + key, sealed, { expiration: px }))
    },
    async delete(key, accessToken) {
      const { sealed, entry } = await read(prefix + key)
      if (entry?.accessToken !== accessToken) return
      const script = { keys: [prefix + key], arguments: [sealed as string] }
      await command('EVAL', () => client.eval(COMPARE_AND_DELETE, script))
    },
    async lock(key, ttl) {
      const lockKey = `${prefix}${key}:lock`
      const owner = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))))
      const px = { type: 'PX' as const, value: Math.max(1, Math.ceil(ttl)) }
      const reply = await command('SET NX', () =>
        client.set(lockKey, owner, { expiration: px, condition: 'NX' }),
      )
      if (reply == null) return undefined
      const script = { keys: [lockKey], arguments: [owner] }
      return async () => {
        await command('EVAL', () => client.eval(COMPARE_AND_DELETE, script))
      }
    },
  }
}
