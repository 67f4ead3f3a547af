import { describe, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import { memorySessionStore } from '@oidckit/node-server'
import type { SessionStore, WebAuthOptions } from '@oidckit/node-server'
import { BASE, ISSUER, SECRET, setup, signIn, withCookies } from './support/web-flow'

/** A memory store on mock-idp's clock that counts its calls. */
function world(options: Partial<WebAuthOptions> = {}) {
  const idp = createMockIdp({ issuer: ISSUER, autoLogin: 'alice' })
  const clock = () => idp.clock.now() * 1000
  const inner = memorySessionStore({ clock })
  const calls = { get: 0, set: 0 }
  const store: SessionStore = {
    ...inner,
    get: (id) => (calls.get++, inner.get(id)),
    set: (id, session, o) => (calls.set++, inner.set(id, session, o)),
  }
  const { web } = setup({ store, clock, ...options }, idp)
  return { idp, web, store: inner, calls }
}

const sessionId = (cookies: string) => /oidckit-web-app=([^.;]+)\./.exec(cookies)![1]!

test('RP-12: with a store the cookie holds only a MAC’d 256-bit id, never a token', async () => {
  const { idp, web, store } = world()
  const { callback, cookies } = await signIn(web, idp)
  const lines = callback.headers
    .getSetCookie()
    .filter((line) => line.startsWith('oidckit-web-app='))
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(
    /^oidckit-web-app=[\w-]{43}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/,
  )
  const session = await web.getSession(withCookies(cookies))
  expect(session?.user.sub).toBe('user-alice')
  expect(cookies).not.toContain(session!.accessToken.slice(0, 20))
  expect(await store.get(sessionId(cookies))).toMatchObject({
    sub: 'user-alice',
    sid: session!.user.sid,
  })
})

test('refuses a forged or tampered session id without asking the store', async () => {
  const { idp, web, calls } = world()
  const { cookies } = await signIn(web, idp)
  const id = sessionId(cookies)
  const forged = [
    `oidckit-web-app=${'A'.repeat(43)}.${'B'.repeat(43)}`,
    `oidckit-web-app=${id}.${'B'.repeat(43)}`,
    `oidckit-web-app=${id}`,
    'oidckit-web-app=../../etc',
  ]
  const before = calls.get
  for (const cookie of forged) expect(await web.getSession(withCookies(cookie))).toBeNull()
  expect(calls.get).toBe(before)
})

test('a session id MAC’d with a secret still in the rotation opens', async () => {
  const { idp, web, store } = world()
  const { cookies } = await signIn(web, idp)
  const { web: rotated } = setup(
    {
      store,
      clock: () => idp.clock.now() * 1000,
      secret: ['a-brand-new-secret-that-is-long-enough-xyz', SECRET],
    },
    idp,
  )
  expect((await rotated.getSession(withCookies(cookies)))?.user.sub).toBe('user-alice')
})

test('RP-12: each login gets a new id, and the session the browser had is destroyed', async () => {
  const { idp, web, store } = world()
  const first = await signIn(web, idp)
  const login = await web.login(new Request(`${BASE}/login`))
  const authorize = await idp.fetch(new Request(login.headers.get('location')!))
  const tx = login.headers.getSetCookie()[0]!.split(';')[0]!
  const callback = await web.callback(
    new Request(authorize.headers.get('location')!, {
      headers: { cookie: `${first.cookies}; ${tx}` },
    }),
  )
  const second = callback.headers.getSetCookie().find((l) => l.startsWith('oidckit-web-app='))!
  expect(sessionId(second)).not.toBe(sessionId(first.cookies))
  expect(await store.get(sessionId(first.cookies))).toBeUndefined()
  expect(await web.getSession(withCookies(first.cookies))).toBeNull()
})

test('sessions end after sessionIdleTtl without a request; each request extends them', async () => {
  const { idp, web } = world({ sessionIdleTtl: 600, sessionTtl: 3000 })
  const { cookies } = await signIn(web, idp)
  for (let i = 0; i < 3; i++) {
    idp.clock.advance(500)
    expect(await web.getSession(withCookies(cookies))).not.toBeNull()
  }
  idp.clock.advance(700)
  expect(await web.getSession(withCookies(cookies))).toBeNull()
})

test('sessions end at sessionTtl however active they are', async () => {
  const { idp, web } = world({ sessionIdleTtl: 600, sessionTtl: 1800 })
  const { cookies } = await signIn(web, idp)
  for (let i = 0; i < 3; i++) {
    idp.clock.advance(500)
    expect(await web.getSession(withCookies(cookies))).not.toBeNull()
  }
  idp.clock.advance(400)
  expect(await web.getSession(withCookies(cookies))).toBeNull()
})

test('a refresh rewrites the store entry, not the cookie', async () => {
  const { idp, web } = world()
  const { cookies } = await signIn(web, idp)
  const first = await web.getSession(withCookies(cookies))
  idp.clock.advance(3600)
  const headers = new Headers()
  const refreshed = await web.getSession(withCookies(cookies), headers)
  expect(refreshed?.accessToken).not.toBe(first?.accessToken)
  expect(headers.getSetCookie()).toEqual([])
  expect((await web.getSession(withCookies(cookies)))?.accessToken).toBe(refreshed?.accessToken)
})

test('logout destroys the store entry, so a copy of the cookie opens nothing', async () => {
  const { idp, web, store } = world()
  const { cookies } = await signIn(web, idp)
  const res = await web.logout(withCookies(cookies, '/logout', { method: 'POST' }))
  expect(res.status).toBe(303)
  expect(await store.get(sessionId(cookies))).toBeUndefined()
  expect(await web.getSession(withCookies(cookies))).toBeNull()
})

describe('a store that fails', () => {
  const broken: SessionStore = {
    get: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.1:6379')),
    set: () => Promise.reject(new Error('ECONNREFUSED')),
    destroy: () => Promise.reject(new Error('ECONNREFUSED')),
    destroyBySid: () => Promise.reject(new Error('ECONNREFUSED')),
    destroyBySub: () => Promise.reject(new Error('ECONNREFUSED')),
  }

  test('getSession rejects with a typed NetworkError; no session is made up', async () => {
    const { idp, web } = world()
    const { cookies } = await signIn(web, idp)
    const { web: down } = setup({ store: broken }, idp)
    await expect(down.getSession(withCookies(cookies))).rejects.toMatchObject({
      name: 'NetworkError',
      code: 'ERR_CONNECTION_FAILED',
    })
  })

  test('the callback answers 503 and sets no session cookie', async () => {
    const { idp } = world()
    const { web } = setup({ store: broken }, idp)
    const { callback } = await signIn(web, idp)
    expect(callback.status).toBe(503)
    expect(callback.headers.getSetCookie().filter((l) => l.startsWith('oidckit-web-app='))).toEqual(
      [],
    )
  })
})
