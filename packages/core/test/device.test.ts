import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { Client, OAuthError } from '@oidckit/core'
import type { DeviceAuthorization } from '@oidckit/core'
import { createHostileProvider } from './hostile-provider.js'
import type { HostileProvider } from './hostile-provider.js'

let idp: HostileProvider
let client: Client
let answers: Array<() => Response>
let pollTimes: number[]

beforeEach(async () => {
  idp = await createHostileProvider({ issuer: `https://hostile-${crypto.randomUUID()}.test` })
  client = await Client.discover({ issuer: idp.issuer, clientId: 'cli', fetch: idp.fetch })
  answers = []
  pollTimes = []
  // Token answers without an ID token: no real crypto, so fake time alone drives the poller.
  idp.tokenResponse = async () => {
    pollTimes.push(Date.now())
    const next = answers.shift()
    return next
      ? next()
      : Response.json({ access_token: 'device-at', token_type: 'Bearer', expires_in: 60 })
  }
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})

afterEach(() => {
  vi.useRealTimers()
})

const pending = () => Response.json({ error: 'authorization_pending' }, { status: 400 })
const slowDown = () => Response.json({ error: 'slow_down' }, { status: 400 })

async function start(): Promise<DeviceAuthorization> {
  const device = await client.deviceAuthorization({ scope: 'openid' })
  expect(device).toMatchObject({ userCode: 'ABCD-EFGH', interval: 5, expiresIn: 600 })
  return device
}

test('RP-19: waits the interval before the first poll and keeps polling while pending', async () => {
  const device = await start()
  answers.push(pending, pending)
  const t0 = Date.now()
  const polling = client.pollDeviceToken(device)
  await vi.advanceTimersByTimeAsync(4_999)
  expect(pollTimes).toHaveLength(0)
  await vi.advanceTimersByTimeAsync(10_001)
  const tokens = await polling
  expect(tokens.accessToken).toBe('device-at')
  expect(pollTimes.map((t) => t - t0)).toEqual([5_000, 10_000, 15_000])
  expect(idp.tokenRequests[0]?.get('grant_type')).toBe(
    'urn:ietf:params:oauth:grant-type:device_code',
  )
  expect(idp.tokenRequests[0]?.get('device_code')).toBe('device-code')
})

test('RP-19: slow_down adds 5 s to this and every later interval', async () => {
  const device = await start()
  answers.push(slowDown, pending, slowDown)
  const t0 = Date.now()
  const polling = client.pollDeviceToken(device)
  await vi.advanceTimersByTimeAsync(60_000)
  await polling
  expect(pollTimes.map((t) => t - t0)).toEqual([5_000, 15_000, 25_000, 40_000])
})

test('RP-19: stops on access_denied', async () => {
  const device = await start()
  answers.push(pending, () => Response.json({ error: 'access_denied' }, { status: 400 }))
  const polling = client.pollDeviceToken(device).catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(10_000)
  const err = await polling
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ code: 'ERR_OAUTH_RESPONSE', error: 'access_denied', status: 400 })
})

test('RP-19: stops on expired_token', async () => {
  const device = await start()
  answers.push(() => Response.json({ error: 'expired_token' }, { status: 400 }))
  const polling = client.pollDeviceToken(device).catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(5_000)
  expect(await polling).toMatchObject({ name: 'OAuthError', error: 'expired_token' })
})

test('RP-19: stops polling when expires_in runs out', async () => {
  const device = await start()
  for (let i = 0; i < 200; i++) answers.push(pending)
  const polling = client.pollDeviceToken(device).catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(605_000)
  expect(await polling).toMatchObject({ code: 'ERR_DEVICE_CODE_EXPIRED', error: 'expired_token' })
  expect(pollTimes.length).toBeLessThanOrEqual(120)
})

test('rejects at once when the signal aborts', async () => {
  const device = await start()
  const controller = new AbortController()
  const polling = client
    .pollDeviceToken(device, { signal: controller.signal })
    .catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(1_000)
  controller.abort(new Error('user pressed Ctrl-C'))
  expect(await polling).toMatchObject({ name: 'NetworkError', code: 'ERR_ABORTED' })
  expect(pollTimes).toHaveLength(0)
})
