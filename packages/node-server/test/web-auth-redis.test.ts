import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { createClient } from 'redis'
import { expect, test } from 'vitest'
import { startRedisServer } from '@oidckit/test-utils'
import { redisSessionStore, sessionMiddleware } from '@oidckit/node-server'
import { useRedis, whenReady } from './support/redis'
import { logoutWorld, postLogoutToken, signIn, withCookies } from './support/web-flow'

const redis = useRedis()

const world = () =>
  logoutWorld({
    store: redisSessionStore({ client: redis.client, keyPrefix: `web:${crypto.randomUUID()}:` }),
  })

test('RP-21: signs in, reads the session from Redis, and ends it by back-channel logout', async () => {
  const { idp, web, signer } = await world()
  const { cookies } = await signIn(web, idp)
  const other = await signIn(web, idp)
  const session = await web.getSession(withCookies(cookies))
  expect(session?.user.sub).toBe('user-alice')
  const res = await postLogoutToken(web, await signer.sign({ sid: session!.user.sid }))
  expect(res.status).toBe(200)
  expect(await web.getSession(withCookies(cookies))).toBeNull()
  expect(await web.getSession(withCookies(other.cookies))).not.toBeNull()
})

test('Redis killed mid-session: every request fails closed with 503 or a typed error, never a crash', async () => {
  const { idp, web, signer } = await world()
  const { cookies } = await signIn(web, idp)
  const app = express()
  app.use(sessionMiddleware(web))
  app.get('/me', (req, res) => res.json({ sub: req.oidc?.user.sub ?? null }))
  const server = createServer(app).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`
  try {
    expect(await (await fetch(url, { headers: { cookie: cookies } })).json()).toEqual({
      sub: 'user-alice',
    })
    await redis.server.kill()

    await expect(web.getSession(withCookies(cookies))).rejects.toMatchObject({
      name: 'NetworkError',
    })
    const page = await fetch(url, { headers: { cookie: cookies } })
    expect(page.status).toBe(503)
    const info = await web.sessionInfo(withCookies(cookies, '/auth/session'))
    expect(info.status).toBe(503)
    expect(await info.json()).toMatchObject({ error: 'temporarily_unavailable' })
    expect(info.headers.get('cache-control')).toBe('no-store')
    const { callback } = await signIn(web, idp)
    expect(callback.status).toBe(503)
    expect(callback.headers.getSetCookie().some((l) => l.startsWith('oidckit-web-app='))).toBe(
      false,
    )
    const logout = await web.logout(withCookies(cookies, '/logout', { method: 'POST' }))
    expect(logout.status).toBe(503)
    expect(logout.headers.getSetCookie()[0]).toMatch(/^oidckit-web-app=; .*Max-Age=0/)
    const backchannel = await postLogoutToken(web, await signer.sign({ sub: 'user-alice' }))
    expect(backchannel.status).toBe(503)

    await redis.server.restart()
    await whenReady(redis.client)
    // The restarted Redis is empty: the old session is gone, and nobody else's appears.
    expect(await (await fetch(url, { headers: { cookie: cookies } })).json()).toEqual({ sub: null })
    const again = await signIn(web, idp)
    expect((await web.getSession(withCookies(again.cookies)))?.user.sub).toBe('user-alice')
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test('a client that queues commands while Redis is down fails with ERR_TIMEOUT, not a hang', async () => {
  const spare = await startRedisServer()
  const queued = createClient({ socket: { ...spare.socket, reconnectStrategy: () => 50 } })
  queued.on('error', () => undefined)
  await queued.connect()
  try {
    const store = redisSessionStore({ client: queued, timeout: 200 })
    await store.set('id-1', { sub: 'user-alice' }, { ttl: 60 })
    // The command must be queued, not written to the dying socket: wait until the client knows.
    const reconnecting = new Promise((resolve) => queued.once('reconnecting', resolve))
    await spare.kill()
    await reconnecting
    await expect(store.get('id-1')).rejects.toMatchObject({
      name: 'NetworkError',
      code: 'ERR_TIMEOUT',
    })
  } finally {
    queued.destroy()
    await spare.stop()
  }
})
