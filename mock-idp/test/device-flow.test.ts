import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { Browser, decodeJwt, post } from './helpers.js'

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

async function start(idp: ReturnType<typeof createMockIdp>) {
  const res = await post(idp, '/oauth/device/code', { client_id: 'cli', scope: 'openid profile' })
  expect(res.status).toBe(200)
  return (await res.json()) as Record<string, string | number>
}

const poll = (idp: ReturnType<typeof createMockIdp>, deviceCode: string) =>
  post(idp, '/oauth/token', { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'cli' })

test('AS-12: the user code is 8 base-20 characters shown as XXXX-XXXX, with a complete URI', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
  expect(device.device_code).toMatch(/^[\w-]{43}$/)
  expect(device.verification_uri).toBe('http://localhost:9400/device')
  expect(device.verification_uri_complete).toBe(
    `http://localhost:9400/device?user_code=${device.user_code}`,
  )
  expect(device).toMatchObject({ expires_in: 600, interval: 5 })
})

test('polling answers authorization_pending, then tokens once approveDevice is called', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  expect(await (await poll(idp, device.device_code as string)).json()).toMatchObject({
    error: 'authorization_pending',
  })
  expect(idp.approveDevice((device.user_code as string).toLowerCase(), 'alice')).toBe(true)
  idp.clock.advance(5)
  const res = await poll(idp, device.device_code as string)
  expect(res.status).toBe(200)
  const tokens = (await res.json()) as Record<string, string>
  expect(decodeJwt(tokens.id_token!).payload.sub).toBe('user-alice')
  expect(tokens.refresh_token).toEqual(expect.any(String))
  idp.clock.advance(5)
  expect(await (await poll(idp, device.device_code as string)).json()).toMatchObject({
    error: 'invalid_grant',
  })
})

test('AS-12: polling faster than the interval answers slow_down', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  await poll(idp, device.device_code as string)
  const res = await poll(idp, device.device_code as string)
  expect(await res.json()).toMatchObject({ error: 'slow_down' })
})

test('AS-12: a denied request answers access_denied', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  expect(idp.denyDevice(device.user_code as string)).toBe(true)
  expect(await (await poll(idp, device.device_code as string)).json()).toMatchObject({
    error: 'access_denied',
  })
})

test('AS-12: an expired device code answers expired_token', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  idp.clock.advance(601)
  expect(await (await poll(idp, device.device_code as string)).json()).toMatchObject({
    error: 'expired_token',
  })
})

test('a client without the device grant gets unauthorized_client', async () => {
  const res = await post(createMockIdp(), '/oauth/device/code', { client_id: 'spa' })
  expect(await res.json()).toMatchObject({ error: 'unauthorized_client' })
})

test('S-13: the device page takes the code, the login and the approval through plain forms, and cannot be framed', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  const browser = new Browser(idp)
  const first = await browser.request(`${idp.issuer}/device`)
  expect(first.headers.get('x-frame-options')).toBe('DENY')
  const afterCode = await browser.submit(await first.text(), {
    user_code: (device.user_code as string).replace('-', '').toLowerCase(),
  })
  expect(afterCode.status).toBe(303)
  const login = await browser.request(new URL(afterCode.headers.get('location')!, idp.issuer).href)
  const loginHtml = await login.text()
  expect(loginHtml).toContain('name="password"')
  const afterLogin = await browser.submit(loginHtml, { username: 'bob', password: 'bob-password' })
  expect(afterLogin.status).toBe(303)
  const confirm = await browser.request(
    new URL(afterLogin.headers.get('location')!, idp.issuer).href,
  )
  const confirmHtml = await confirm.text()
  expect(confirmHtml).toContain(device.user_code as string)
  expect(confirmHtml).toContain('Demo CLI')
  const done = await browser.submit(confirmHtml, { action: 'approve' })
  expect(done.status).toBe(200)
  idp.clock.advance(5)
  const tokens = (await (await poll(idp, device.device_code as string)).json()) as Record<
    string,
    string
  >
  expect(decodeJwt(tokens.access_token!).payload.sub).toBe('user-bob')
})

test('AS-10: the device form refuses a POST without the CSRF cookie', async () => {
  const idp = createMockIdp()
  const device = await start(idp)
  const res = await post(idp, '/device', {
    action: 'code',
    user_code: device.user_code as string,
    csrf_token: 'x',
  })
  expect(res.status).toBe(403)
})

test('AS-12: wrong user codes are rate limited per browser', async () => {
  const idp = createMockIdp()
  const browser = new Browser(idp)
  const page = await (await browser.request(`${idp.issuer}/device`)).text()
  const statuses: number[] = []
  for (let i = 0; i < 6; i++)
    statuses.push((await browser.submit(page, { user_code: 'BCDF-GHJK' })).status)
  expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400])
  expect(statuses[5]).toBe(429)
})
