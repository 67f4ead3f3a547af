import { NetworkError } from '@oidckit/core'
import { argumentError, optionalNumber } from './internal/options.js'
import type { SessionStore, StoredSession } from './session-store.js'

/**
 * The one Redis call {@link redisSessionStore} makes, as node-redis (v4, v5) clients have it:
 * `createClient()` from `redis` fits as is. For ioredis pass
 * `{ sendCommand: ([name, ...args]) => ioredis.call(name!, ...args) }`.
 *
 * @see https://redis.io/docs/latest/commands/eval/
 * @example
 * ```ts
 * import { createClient } from 'redis'
 *
 * const client: RedisSessionClient = await createClient({ url: process.env.REDIS_URL }).connect()
 * ```
 */
export interface RedisSessionClient {
  sendCommand(args: string[]): Promise<unknown>
}

/**
 * Options of {@link redisSessionStore}.
 *
 * @see https://redis.io/docs/latest/develop/use/keyspace/
 * @example
 * ```ts
 * const options: RedisSessionStoreOptions = { client, keyPrefix: 'myapp:session:' }
 * ```
 */
export interface RedisSessionStoreOptions {
  client: RedisSessionClient
  /** Prefix of every key the store writes. Default `oidckit:session:`. */
  keyPrefix?: string | undefined
  /**
   * Milliseconds a command may take before it fails with `ERR_TIMEOUT` (a client that queues
   * commands while disconnected would otherwise hold requests until Redis is back). Default 5000.
   */
  timeout?: number | undefined
}

// Writes a session and adds its id to the sid and sub sets; a set lives as long as its
// longest-lived session. ARGV: json, ttl, onlyIfExists, id. KEYS: session, then index sets.
const SET = `
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
end
return 1`

// Deletes sessions and their index entries: KEYS[1] is one session key (ARGV[2] its id), or an
// index set whose sessions all go (ARGV[2] empty). ARGV[1] is the key prefix.
const DESTROY = `
local prefix = ARGV[1]
local function destroy(id)
  local key = prefix .. 's:' .. id
  local value = redis.call('GET', key)
  if not value then return 0 end
  redis.call('DEL', key)
  local ok, session = pcall(cjson.decode, value)
  if ok and type(session) == 'table' then
    if type(session.sid) == 'string' then redis.call('SREM', prefix .. 'sid:' .. session.sid, id) end
    if type(session.sub) == 'string' then redis.call('SREM', prefix .. 'sub:' .. session.sub, id) end
  end
  return 1
end
if ARGV[2] ~= '' then return destroy(ARGV[2]) end
local count = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do count = count + destroy(id) end
redis.call('DEL', KEYS[1])
return count`

/**
 * A {@link SessionStore} in Redis, shared by every process of an app: each session is one JSON
 * string with a TTL (`<prefix>s:<id>`), indexed by sets `<prefix>sid:<sid>` and `<prefix>sub:<sub>`
 * that expire with their sessions and are cleaned on destroy; writes and destroys are Lua scripts,
 * so an index never disagrees with its sessions. A single Redis server (or a primary with
 * replicas); not Redis Cluster. Any Redis failure rejects (the web auth then fails closed).
 * Give the client an `error` listener: node-redis emits connection errors as events.
 *
 * @throws TypeError `ERR_INVALID_ARG_TYPE` without a client.
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createWebAuth, redisSessionStore } from '@oidckit/node-server'
 *
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 *   .on('error', (err) => console.error('redis', err.message))
 *   .connect()
 * const web = createWebAuth({ ...options, store: redisSessionStore({ client }) })
 * ```
 */
export function redisSessionStore(options: RedisSessionStoreOptions): SessionStore {
  const client = options?.client
  if (typeof client?.sendCommand !== 'function') {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      'redisSessionStore() needs { client }: a connected node-redis client.',
    )
  }
  const prefix = options.keyPrefix ?? 'oidckit:session:'
  const timeout = optionalNumber(options.timeout, '`timeout`') ?? 5000

  function send(args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new NetworkError('ERR_TIMEOUT', 'The session store did not answer in time.')),
        timeout,
      )
      timer.unref()
    })
    const reply = client.sendCommand(args)
    reply.catch(() => undefined)
    return Promise.race([reply, expired]).finally(() => clearTimeout(timer))
  }
  const destroy = (key: string, id: string) =>
    send(['EVAL', DESTROY, '1', key, prefix, id]).then(() => undefined)

  return {
    async get(id) {
      const value = await send(['GET', `${prefix}s:${id}`])
      if (typeof value !== 'string') return undefined
      try {
        const session = JSON.parse(value) as StoredSession
        return typeof session === 'object' && session !== null ? session : undefined
      } catch {
        return undefined
      }
    },
    async set(id, session, { ttl, onlyIfExists }) {
      const keys = [`${prefix}s:${id}`, `${prefix}sub:${session.sub}`]
      if (typeof session.sid === 'string') keys.push(`${prefix}sid:${session.sid}`)
      const seconds = String(Math.max(1, Math.ceil(ttl)))
      const flag = onlyIfExists ? '1' : '0'
      const args = [JSON.stringify(session), seconds, flag, id]
      await send(['EVAL', SET, String(keys.length), ...keys, ...args])
    },
    destroy: (id) => destroy(`${prefix}s:${id}`, id),
    destroyBySid: (sid) => destroy(`${prefix}sid:${sid}`, ''),
    destroyBySub: (sub) => destroy(`${prefix}sub:${sub}`, ''),
  }
}
