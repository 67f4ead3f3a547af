import { describe, expect, test } from 'vitest'
import { memorySessionStore, redisSessionStore } from '@oidckit/node-server'
import type { SessionStore } from '@oidckit/node-server'
import { useRedis } from './support/redis'

const redis = useRedis()
let prefixes = 0

const alice = (sid = 'sid-1', extra: object = {}) => ({
  sub: 'user-alice',
  sid,
  tokens: { access_token: 'a' },
  ...extra,
})
const bob = { sub: 'user-bob', sid: 'sid-9', tokens: { access_token: 'b' } }

const stores: [string, () => SessionStore][] = [
  ['memory', () => memorySessionStore()],
  ['redis', () => redisSessionStore({ client: redis.client, keyPrefix: `test:${++prefixes}:` })],
]

describe.each(stores)('%s session store', (_name, make) => {
  test('gives back the session it was given, and nothing for an unknown id', async () => {
    const store = make()
    const session = alice('sid-1', { nested: { list: [1, 'two'] }, flag: true })
    await store.set('id-1', session, { ttl: 60 })
    expect(await store.get('id-1')).toEqual(session)
    expect(await store.get('id-2')).toBeUndefined()
  })

  test('a change to the returned object does not change the stored session', async () => {
    const store = make()
    await store.set('id-1', alice(), { ttl: 60 })
    const copy = (await store.get('id-1')) as { sub: string }
    copy.sub = 'user-mallory'
    expect((await store.get('id-1'))?.sub).toBe('user-alice')
  })

  test('destroy removes one session; an unknown id is no error', async () => {
    const store = make()
    await store.set('id-1', alice(), { ttl: 60 })
    await store.set('id-2', alice(), { ttl: 60 })
    await store.destroy('id-1')
    await store.destroy('never-was')
    expect(await store.get('id-1')).toBeUndefined()
    expect(await store.get('id-2')).toBeDefined()
  })

  test('destroyBySid removes the sessions of that provider session only', async () => {
    const store = make()
    await store.set('id-1', alice('sid-1'), { ttl: 60 })
    await store.set('id-2', alice('sid-1'), { ttl: 60 })
    await store.set('id-3', alice('sid-2'), { ttl: 60 })
    await store.set('id-4', bob, { ttl: 60 })
    await store.destroyBySid('sid-1')
    expect(await store.get('id-1')).toBeUndefined()
    expect(await store.get('id-2')).toBeUndefined()
    expect(await store.get('id-3')).toBeDefined()
    expect(await store.get('id-4')).toBeDefined()
  })

  test('destroyBySub removes every session of that user only', async () => {
    const store = make()
    await store.set('id-1', alice('sid-1'), { ttl: 60 })
    await store.set('id-2', alice('sid-2'), { ttl: 60 })
    await store.set('id-3', { sub: 'user-alice', tokens: {} }, { ttl: 60 })
    await store.set('id-4', bob, { ttl: 60 })
    await store.destroyBySub('user-alice')
    for (const id of ['id-1', 'id-2', 'id-3']) expect(await store.get(id)).toBeUndefined()
    expect(await store.get('id-4')).toBeDefined()
    await store.destroyBySub('user-nobody')
  })

  test('a destroyed session leaves the indexes: a later session with its sid survives', async () => {
    const store = make()
    await store.set('id-1', alice('sid-1'), { ttl: 60 })
    await store.destroy('id-1')
    await store.set('id-1', bob, { ttl: 60 })
    await store.destroyBySid('sid-1')
    await store.destroyBySub('user-alice')
    expect((await store.get('id-1'))?.sub).toBe('user-bob')
  })

  test('onlyIfExists never brings back a destroyed session', async () => {
    const store = make()
    await store.set('id-1', alice(), { ttl: 60 })
    await store.destroyBySid('sid-1')
    await store.set('id-1', alice('sid-1', { refreshed: true }), { ttl: 60, onlyIfExists: true })
    expect(await store.get('id-1')).toBeUndefined()
    await store.set('id-2', alice(), { ttl: 60 })
    await store.set('id-2', alice('sid-1', { refreshed: true }), { ttl: 60, onlyIfExists: true })
    expect(await store.get('id-2')).toMatchObject({ refreshed: true })
  })
})

describe('memorySessionStore', () => {
  test('expires a session on its clock, and a write pushes the expiry back', async () => {
    let now = 1_000_000
    const store = memorySessionStore({ clock: () => now })
    await store.set('id-1', alice(), { ttl: 60 })
    now += 50_000
    await store.set('id-1', alice(), { ttl: 60, onlyIfExists: true })
    now += 50_000
    expect(await store.get('id-1')).toBeDefined()
    now += 10_000
    expect(await store.get('id-1')).toBeUndefined()
    await store.set('id-1', alice(), { ttl: 60, onlyIfExists: true })
    expect(await store.get('id-1')).toBeUndefined()
  })

  test('keeps at most max sessions, dropping the least recently written', async () => {
    const store = memorySessionStore({ max: 3 })
    for (const id of ['id-1', 'id-2', 'id-3']) await store.set(id, alice(id), { ttl: 60 })
    await store.set('id-1', alice('id-1'), { ttl: 60 })
    await store.set('id-4', alice('id-4'), { ttl: 60 })
    expect(await store.get('id-2')).toBeUndefined()
    for (const id of ['id-1', 'id-3', 'id-4']) expect(await store.get(id)).toBeDefined()
    // The evicted session left its index too: destroying by its sid touches no one else.
    await store.destroyBySid('id-2')
    for (const id of ['id-1', 'id-3', 'id-4']) expect(await store.get(id)).toBeDefined()
  })

  test('refuses a max below 1', () => {
    expect(() => memorySessionStore({ max: 0 })).toThrow(TypeError)
  })
})

describe('redisSessionStore', () => {
  test('sets the TTL on the session and on its index sets, and cleans the sets on destroy', async () => {
    const store = redisSessionStore({ client: redis.client, keyPrefix: 'ttl:' })
    await store.set('id-1', alice('sid-1'), { ttl: 600 })
    await store.set('id-2', alice('sid-1'), { ttl: 60 })
    for (const key of ['ttl:s:id-1', 'ttl:sid:sid-1', 'ttl:sub:user-alice']) {
      const ttl = await redis.client.ttl(key)
      expect(ttl).toBeGreaterThan(590)
      expect(ttl).toBeLessThanOrEqual(600)
    }
    expect(await redis.client.sMembers('ttl:sid:sid-1')).toEqual(
      expect.arrayContaining(['id-1', 'id-2']),
    )
    await store.destroy('id-1')
    expect(await redis.client.sMembers('ttl:sid:sid-1')).toEqual(['id-2'])
    await store.destroyBySid('sid-1')
    expect(await redis.client.keys('ttl:*')).toEqual([])
  })

  test('reads a value that is not a session as no session', async () => {
    const store = redisSessionStore({ client: redis.client, keyPrefix: 'junk:' })
    await redis.client.set('junk:s:id-1', '{not json')
    await redis.client.set('junk:s:id-2', '42')
    expect(await store.get('id-1')).toBeUndefined()
    expect(await store.get('id-2')).toBeUndefined()
    await store.destroy('id-1')
  })

  test('refuses a missing client', () => {
    expect(() => redisSessionStore({} as never)).toThrow(TypeError)
  })
})
