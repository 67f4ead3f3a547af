import { afterEach, expect, test, vi } from 'vitest'
import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'
import { BoundedMap } from '../src/internal/bounded-map.js'
import { FailureCounter } from '../src/internal/failure-counter.js'
import { storeOf } from '../src/internal/inspect.js'
import { STORE_LIMITS, SWEEP_INTERVAL_MS } from '../src/store.js'
import { basic, get, pkce, post } from './helpers.js'

// Every map a request can grow has a ceiling: flooding mock-idp with more distinct keys than a
// map's cap leaves the map at its cap, the oldest entries evicted (AS-17: no request, however
// many, takes the server down).

const SPA_REDIRECT = 'http://localhost:5173/callback'

afterEach(() => {
  vi.useRealTimers()
})

function authorizeUrl(idp: MockIdp, state: string): string {
  const query = new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    redirect_uri: SPA_REDIRECT,
    scope: 'openid',
    state,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  })
  return `/oauth/authorize?${query}`
}

/** The `tx` and CSRF token of a login page, and its cookie. */
async function openLogin(idp: MockIdp, state: string) {
  const res = await get(idp, authorizeUrl(idp, state))
  expect(res.status).toBe(200)
  const html = await res.text()
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!
  return {
    cookie,
    tx: /name="tx" value="([^"]+)"/.exec(html)![1]!,
    csrf: /name="csrf_token" value="([^"]+)"/.exec(html)![1]!,
  }
}

test('AS-17: a BoundedMap evicts its oldest entries past its entry cap or its byte budget', () => {
  const dropped: string[] = []
  const map = new BoundedMap<string>({
    max: 3,
    maxBytes: 10_000,
    onDrop: (key) => dropped.push(key),
  })
  for (const key of ['a', 'b', 'c', 'd', 'e']) map.set(key, 'value')
  expect([...map.keys()]).toEqual(['c', 'd', 'e'])
  expect(dropped).toEqual(['a', 'b'])
  map.set('c', 'updated') // an update keeps its place in line
  map.set('f', 'value')
  expect([...map.keys()]).toEqual(['d', 'e', 'f'])

  const bytes = new BoundedMap<string>({ max: 1000, maxBytes: 10_000 })
  for (let i = 0; i < 10; i++) bytes.set(`k${i}`, 'x'.repeat(2000))
  expect(bytes.bytes).toBeLessThanOrEqual(10_000)
  expect(bytes.size).toBe(2)
  expect([...bytes.keys()]).toEqual(['k8', 'k9'])
  bytes.set('huge', 'x'.repeat(6000)) // alone over the budget: stored, then evicted with the rest
  expect(bytes.size).toBe(0)
  expect(bytes.bytes).toBe(0)
})

test('AS-17: BoundedMap.prune drops what has expired by the given time, and only that', () => {
  const map = new BoundedMap<number>({ max: 10, maxBytes: 10_000, expiresAt: (exp) => exp })
  map.set('early', 100)
  map.set('late', 200)
  map.prune(150)
  expect([...map.keys()]).toEqual(['late'])
})

test('AS-17: every map in the store is a bounded one', () => {
  const store = storeOf(createMockIdp())
  const fields = Object.entries(store)
  expect(fields.length).toBeGreaterThan(5)
  for (const [name, value] of fields) {
    expect(value instanceof Map || value instanceof Set, `${name} is an unbounded Map/Set`).toBe(
      false,
    )
    if (value instanceof BoundedMap) {
      expect(Number.isFinite(value.max) && Number.isFinite(value.maxBytes), name).toBe(true)
    }
    if (value instanceof FailureCounter) expect(value.windows).toBeInstanceOf(BoundedMap)
  }
  expect(Object.values(store.bounded()).length).toBeGreaterThanOrEqual(12)
})

test('AS-17: abandoned login pages stay at the transactions cap; the oldest is evicted, the newest still signs in', async () => {
  const idp = createMockIdp()
  const { transactions } = storeOf(idp)
  const first = await openLogin(idp, 'first')
  for (let i = 0; i < STORE_LIMITS.transactions.max + 50; i++) {
    const res = await get(idp, authorizeUrl(idp, `junk-${i}`))
    expect(res.status).toBe(200)
    await res.body?.cancel()
  }
  expect(transactions.size).toBe(STORE_LIMITS.transactions.max)
  const last = await openLogin(idp, 'last')
  expect(transactions.size).toBe(STORE_LIMITS.transactions.max)

  const submit = (login: { cookie: string; tx: string; csrf: string }) =>
    post(
      idp,
      '/oauth/authorize',
      { tx: login.tx, csrf_token: login.csrf, username: 'alice', password: 'alice-password' },
      { cookie: login.cookie },
    )
  const evicted = await submit(first)
  expect(evicted.status).toBe(400)
  expect(await evicted.text()).toContain('expired')
  const signedIn = await submit(last)
  expect(signedIn.status).toBe(303)
  expect(new URL(signedIn.headers.get('location')!).searchParams.get('state')).toBe('last')
})

test('AS-17: large login requests stay within the transactions byte budget', async () => {
  const idp = createMockIdp()
  const { transactions } = storeOf(idp)
  const big = 's'.repeat(60_000)
  for (let i = 0; i < 60; i++) {
    const query = new URL(authorizeUrl(idp, `${i}${big}`), idp.issuer).searchParams
    const res = await post(idp, '/oauth/authorize', Object.fromEntries(query))
    expect(res.status).toBe(200)
    await res.body?.cancel()
  }
  expect(transactions.bytes).toBeLessThanOrEqual(STORE_LIMITS.transactions.maxBytes)
  expect(transactions.size).toBeLessThan(60)
  expect(transactions.size).toBeGreaterThan(10)
})

test('AS-12, AS-17: device codes and their user codes stay at the devices cap; the newest still works', async () => {
  const idp = createMockIdp()
  const store = storeOf(idp)
  const codes: string[] = []
  for (let i = 0; i < STORE_LIMITS.devices.max + 50; i++) {
    const res = await post(idp, '/oauth/device/code', { client_id: 'cli' })
    expect(res.status).toBe(200)
    codes.push(((await res.json()) as { user_code: string }).user_code)
  }
  expect(store.devices.size).toBe(STORE_LIMITS.devices.max)
  expect(store.userCodes.size).toBe(STORE_LIMITS.devices.max)
  expect(idp.approveDevice(codes[0]!, 'alice')).toBe(false)
  expect(idp.approveDevice(codes.at(-1)!, 'alice')).toBe(true)
})

test('AS-12, AS-17: wrong user codes from more browsers than the cap stay at the cap, keyed by a hash however long the cookie', async () => {
  const idp = createMockIdp()
  const { windows } = storeOf(idp).userCodeFailures
  const cap = STORE_LIMITS.userCodeFailures.max
  for (let i = 0; i < cap + 50; i++) {
    // The global limit stops counting after 50 guesses a code lifetime; move past it.
    if (i % 50 === 0) idp.clock.advance(601)
    const cookie = `${i}-${'c'.repeat(i < 20 ? 16_000 : 40)}`
    const res = await post(
      idp,
      '/device',
      { action: 'code', user_code: 'BCDF-GHJK', csrf_token: cookie },
      { cookie: `mock_idp_csrf=${cookie}` },
    )
    expect([400, 429]).toContain(res.status)
    await res.body?.cancel()
  }
  expect(windows.size).toBe(cap)
  for (const key of windows.keys()) expect(key.length).toBeLessThanOrEqual(64)
})

test('AS-17: a listening server sweeps expired records on a timer, by the idp clock, and stops when closed', async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
  const idp = createMockIdp()
  const { transactions } = storeOf(idp)
  const server = await idp.listen({ port: 0 })
  try {
    expect(vi.getTimerCount()).toBe(1)
    for (let i = 0; i < 3; i++) await (await get(idp, authorizeUrl(idp, `s${i}`))).text()
    expect(transactions.size).toBe(3)
    vi.advanceTimersByTime(SWEEP_INTERVAL_MS)
    expect(transactions.size, 'nothing has expired on the idp clock yet').toBe(3)
    idp.clock.advance(601)
    vi.advanceTimersByTime(SWEEP_INTERVAL_MS)
    expect(transactions.size).toBe(0)
  } finally {
    await server.close()
  }
  expect(vi.getTimerCount()).toBe(0)
})

test('AS-6: junk for more client_ids than the cap never resets a real client’s throttle, and is not kept', async () => {
  const idp = createMockIdp()
  const { windows } = storeOf(idp).clientAuthFailures
  const wrong = (secret: string) =>
    post(
      idp,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('service', secret) },
    )
  for (let i = 0; i < 9; i++) expect((await wrong(`wrong-${i}`)).status).toBe(401)
  for (let i = 0; i < STORE_LIMITS.clientAuthFailures.max + 50; i++) {
    // A few 60 KB ids among them: long ids cost the map nothing either.
    const clientId = `junk-${i}-${i < 10 ? 'x'.repeat(60_000) : ''}`
    const res = await post(idp, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 'guess',
    })
    expect(res.status).toBe(401)
    await res.body?.cancel()
  }
  expect((await wrong('wrong-9')).status).toBe(401)
  expect((await wrong('service-secret')).status, 'the tenth failure still counted').toBe(429)
  expect(windows.size).toBe(1)
})

test('AS-10: wrong passwords for more unknown usernames than the cap never reset a real user’s count', async () => {
  const idp = createMockIdp()
  const store = storeOf(idp)
  const device = (await (await post(idp, '/oauth/device/code', { client_id: 'cli' })).json()) as {
    user_code: string
  }
  const cookie = 'e'.repeat(43)
  const login = (username: string, password: string) =>
    post(
      idp,
      '/device',
      { action: 'login', user_code: device.user_code, username, password, csrf_token: cookie },
      { cookie: `mock_idp_csrf=${cookie}` },
    )
  for (let i = 0; i < 9; i++) expect((await login('alice', `wrong-${i}`)).status).toBe(401)
  for (let i = 0; i < STORE_LIMITS.unknownUserFailures.max + 50; i++) {
    const res = await login(`nobody-${i}-${i < 10 ? 'n'.repeat(60_000) : ''}`, 'guess')
    expect(res.status).toBe(401)
    await res.body?.cancel()
  }
  expect((await login('alice', 'wrong-9')).status).toBe(401)
  expect((await login('alice', 'alice-password')).status, 'the tenth failure still counted').toBe(
    429,
  )
  expect(store.unknownUserFailures.windows.size).toBe(STORE_LIMITS.unknownUserFailures.max)
  expect(store.passwordFailures.windows.size).toBe(1)
  for (const key of store.unknownUserFailures.windows.keys()) expect(key.length).toBeLessThan(64)
})

test('AS-17: the request log stays small however large and many the requests', async () => {
  const idp = createMockIdp()
  const params = new URLSearchParams({ grant_type: 'client_credentials' })
  for (let i = 0; params.toString().length < 60_000; i++) params.set(`p${i}`, 'v'.repeat(200))
  const junk = () =>
    idp.fetch(
      new Request(`${idp.issuer}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(params.toString().length),
          'user-agent': 'u'.repeat(12_000),
          authorization: `X${'y'.repeat(12_000)}`,
        },
        body: params,
      }),
    )
  for (let i = 0; i < 520; i++) await (await junk()).body?.cancel()
  const log = idp.requests()
  expect(log).toHaveLength(500)
  // 500 entries of about 4 KB each, however large the requests were.
  expect(JSON.stringify(log).length).toBeLessThan(500 * 5_000)
  expect(log.at(-1)!.params['…']).toBe('more parameters, not logged')
})
