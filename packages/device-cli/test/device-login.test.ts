import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import { deviceLogin, NetworkError, OAuthError } from '@oidckit/device-cli'
import type { DeviceCode } from '@oidckit/device-cli'
import { counted, fakeTime, settle } from './helpers.js'

const issuer = 'https://idp.test'
let idp: MockIdp

beforeEach(async () => {
  idp = createMockIdp({ issuer })
  // Generate the signing key now, in real time, not while fake time waits on it.
  await idp.jwks()
  fakeTime()
})

afterEach(() => {
  vi.useRealTimers()
})

function login(extra: Partial<Parameters<typeof deviceLogin>[0]> = {}) {
  const codes: DeviceCode[] = []
  const promise = deviceLogin({
    issuer,
    clientId: 'cli',
    scope: 'openid profile offline_access',
    onCode: (code) => {
      codes.push(code)
    },
    fetch: counted(idp.fetch),
    ...extra,
  })
  promise.catch(() => undefined)
  return { promise, codes }
}

test('RP-19: hands the user code and URLs to onCode and returns tokens once approved', async () => {
  const { promise, codes } = login()
  let approved = false
  const tokens = await settle(promise, () => {
    const code = codes[0]
    if (code && !approved && Date.now() > code.expiresAt * 1000 - 590_000) {
      approved = idp.approveDevice(code.userCode, 'alice')
    }
  })
  expect(codes).toHaveLength(1)
  const code = codes[0] as DeviceCode
  expect(Object.keys(code).sort()).toEqual([
    'expiresAt',
    'userCode',
    'verificationUri',
    'verificationUriComplete',
  ])
  expect(code.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
  expect(code.verificationUri).toBe(`${issuer}/device`)
  expect(code.verificationUriComplete).toContain(code.userCode)
  expect(tokens.claims()?.sub).toBe('user-alice')
  expect(tokens.refreshToken).toBeTruthy()
})

test('RP-19: never hands the device_code to onCode', async () => {
  const { promise, codes } = login()
  await settle(promise, () => {
    if (codes[0]) idp.approveDevice(codes[0].userCode, 'alice')
  })
  const polls = idp.requests().filter((r) => r.endpoint === 'token')
  expect(polls.length).toBeGreaterThan(0)
  expect(JSON.stringify(codes)).not.toMatch(/device_code|deviceCode/)
})

test('RP-19: polls no faster than the interval, with a margin, so mock-idp never says slow_down', async () => {
  const { promise, codes } = login()
  let ticks = 0
  await settle(promise, () => {
    if (++ticks === 30 && codes[0]) idp.approveDevice(codes[0].userCode, 'alice')
  })
  const polls = idp.requests().filter((r) => r.endpoint === 'token')
  expect(polls.length).toBeGreaterThanOrEqual(4)
  expect(polls.length).toBeLessThanOrEqual(6)
  expect(JSON.stringify(polls)).not.toContain('slow_down')
})

test('RP-19: stops with access_denied when the user denies', async () => {
  const { promise, codes } = login()
  const err = await settle(promise, () => {
    if (codes[0]) idp.denyDevice(codes[0].userCode)
  }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'access_denied' })
})

test('RP-19: stops with expired_token when nobody approves in time', async () => {
  const { promise } = login()
  const err = await settle(promise).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'expired_token' })
})

test('RP-19: reports clock drift after repeated slow_down instead of polling on', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'oauth_error', error: 'slow_down', times: 50 })
  const { promise } = login()
  const err = await settle(promise).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'slow_down' })
  expect((err as Error).message).toMatch(/clock/)
  expect((err as Error).message).toContain('oidckit login')
  expect(idp.requests().filter((r) => r.endpoint === 'token')).toHaveLength(3)
})

test('stops at once with ERR_ABORTED when the signal fires', async () => {
  const controller = new AbortController()
  const { promise, codes } = login({ signal: controller.signal })
  const err = await settle(promise, () => {
    if (codes[0]) controller.abort()
  }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(NetworkError)
  expect(err).toMatchObject({ code: 'ERR_ABORTED' })
  expect(idp.requests().filter((r) => r.endpoint === 'token')).toHaveLength(0)
})

test('opens the verification page with the code filled in when asked', async () => {
  const opened: string[] = []
  const { promise, codes } = login({
    openBrowser: (url) => {
      opened.push(url)
      throw new Error('no browser here')
    },
  })
  await settle(promise, () => {
    if (codes[0]) idp.approveDevice(codes[0].userCode, 'alice')
  })
  expect(opened).toEqual([codes[0]?.verificationUriComplete])
})

test('refuses a verification URI that is not a web URL', async () => {
  const hostile = async (request: Request) => {
    const response = await idp.fetch(request)
    if (!request.url.endsWith('/oauth/device/code')) return response
    const body = (await response.json()) as Record<string, unknown>
    return Response.json({ ...body, verification_uri: 'file:///etc/passwd' })
  }
  const onCode = vi.fn()
  const { promise } = login({ fetch: counted(hostile), onCode })
  const err = await settle(promise).catch((e: unknown) => e)
  expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_RESPONSE_INVALID' })
  expect(onCode).not.toHaveBeenCalled()
})

test('rejects a call without onCode with a TypeError', async () => {
  await expect(
    deviceLogin({ issuer, clientId: 'cli' } as unknown as Parameters<typeof deviceLogin>[0]),
  ).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
})

test('surfaces an unknown client as an OAuthError', async () => {
  const { promise } = login({ clientId: 'nobody' })
  const err = await settle(promise).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
})
