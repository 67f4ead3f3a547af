import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { basic, get, loginWithCode, post } from './helpers.js'

function control(idp: MockIdp, method: string, path: string, body?: unknown): Promise<Response> {
  return idp.fetch(
    new Request(`${idp.issuer}/_mock${path}`, {
      method,
      headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  )
}

test('the control API is off unless enabled', async () => {
  const res = await control(createMockIdp(), 'GET', '/state')
  expect(res.status).toBe(404)
})

test('a user added over the control API can sign in, and updated claims reach userinfo', async () => {
  const idp = createMockIdp({ controlApi: true })
  const added = await control(idp, 'POST', '/users', {
    username: 'carol',
    password: 'carol-pw',
    claims: { name: 'Carol', owner: 'acme' },
  })
  expect(added.status).toBe(201)
  const { tokens } = await loginWithCode(idp, { username: 'carol', password: 'carol-pw' })
  expect(
    (await control(idp, 'PATCH', '/users/carol', { claims: { isAdmin: true, name: 'Carol C.' } }))
      .status,
  ).toBe(200)
  const info = (await (
    await get(idp, '/oauth/userinfo', { authorization: `Bearer ${tokens.access_token as string}` })
  ).json()) as Record<string, unknown>
  expect(info).toMatchObject({ sub: 'user-carol', isAdmin: true, name: 'Carol C.' })
})

test('claims of a service account user reach client-credentials tokens', async () => {
  const idp = createMockIdp({
    users: [
      {
        sub: 'svc-1',
        username: 'robot',
        password: 'x',
        claims: { owner: 'acme', type: 'service' },
      },
    ],
    clients: [{ clientId: 'svc', clientSecret: 's', serviceAccount: 'robot', scope: 'api:read' }],
  })
  idp.updateUser('robot', { claims: { isAdmin: true } })
  const res = await post(
    idp,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { authorization: basic('svc', 's') },
  )
  const { access_token } = (await res.json()) as { access_token: string }
  const payload = JSON.parse(
    Buffer.from(access_token.split('.')[1]!, 'base64url').toString(),
  ) as Record<string, unknown>
  expect(payload).toMatchObject({
    sub: 'svc-1',
    owner: 'acme',
    type: 'service',
    isAdmin: true,
    client_id: 'svc',
  })
})

test('adding a user whose username exists answers 400', async () => {
  const idp = createMockIdp({ controlApi: true })
  const res = await control(idp, 'POST', '/users', { username: 'alice', password: 'x' })
  expect(res.status).toBe(400)
})

test('the clock can be advanced over HTTP', async () => {
  const idp = createMockIdp({ controlApi: true })
  const before = idp.clock.now()
  const res = await control(idp, 'POST', '/clock', { advance: 3600 })
  expect(((await res.json()) as { now: number }).now).toBeGreaterThanOrEqual(before + 3600)
  expect((await control(idp, 'POST', '/clock', { forward: 1 })).status).toBe(400)
})

test('tokens minted over HTTP work at userinfo', async () => {
  const idp = createMockIdp({ controlApi: true })
  const res = await control(idp, 'POST', '/tokens', { user: 'alice', clientId: 'spa' })
  const { access_token } = (await res.json()) as { access_token: string }
  expect(
    (await get(idp, '/oauth/userinfo', { authorization: `Bearer ${access_token}` })).status,
  ).toBe(200)
})

test('devices can be approved over HTTP', async () => {
  const idp = createMockIdp({ controlApi: true })
  const device = (await (
    await post(idp, '/oauth/device/code', { client_id: 'cli' })
  ).json()) as Record<string, string>
  expect(
    (await control(idp, 'POST', '/device/approve', { userCode: device.user_code, username: 'bob' }))
      .status,
  ).toBe(200)
  expect(
    (await control(idp, 'POST', '/device/approve', { userCode: 'BBBB-BBBB', username: 'bob' }))
      .status,
  ).toBe(404)
  const res = await post(idp, '/oauth/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: device.device_code!,
    client_id: 'cli',
  })
  expect(res.status).toBe(200)
})

test('an injected OAuth error answers the next call only', async () => {
  const idp = createMockIdp({ controlApi: true })
  await control(idp, 'POST', '/faults', {
    endpoint: 'token',
    kind: 'oauth_error',
    error: 'temporarily_unavailable',
    status: 503,
  })
  const auth = { authorization: basic('service', 'service-secret') }
  const first = await post(idp, '/oauth/token', { grant_type: 'client_credentials' }, auth)
  expect(first.status).toBe(503)
  expect(await first.json()).toMatchObject({ error: 'temporarily_unavailable' })
  expect((await post(idp, '/oauth/token', { grant_type: 'client_credentials' }, auth)).status).toBe(
    200,
  )
})

test('server_error, malformed and delay faults behave as named', async () => {
  const idp = createMockIdp()
  idp.injectFault({ endpoint: 'discovery', kind: 'server_error', times: 2 })
  idp.injectFault({ endpoint: 'jwks', kind: 'malformed' })
  idp.injectFault({ endpoint: 'userinfo', kind: 'delay', ms: 20 })
  expect((await get(idp, '/.well-known/openid-configuration')).status).toBe(500)
  expect((await get(idp, '/.well-known/openid-configuration')).status).toBe(500)
  expect((await get(idp, '/.well-known/openid-configuration')).status).toBe(200)
  await expect((await get(idp, '/.well-known/jwks')).json()).rejects.toThrow()
  expect((await get(idp, '/oauth/userinfo')).status).toBe(401)
})

test('an invalid fault is refused with 400', async () => {
  const idp = createMockIdp({ controlApi: true })
  expect(
    (await control(idp, 'POST', '/faults', { endpoint: 'nowhere', kind: 'server_error' })).status,
  ).toBe(400)
})

test('the request log is readable over HTTP and reset clears state', async () => {
  const idp = createMockIdp({ controlApi: true })
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await get(idp, '/.well-known/jwks')
  const log = (await (await control(idp, 'GET', '/requests')).json()) as { endpoint: string }[]
  expect(log.map((entry) => entry.endpoint)).toEqual(['jwks'])
  expect((await control(idp, 'POST', '/reset')).status).toBe(200)
  expect(idp.requests()).toEqual([])
  expect(
    (await get(idp, '/oauth/userinfo', { authorization: `Bearer ${tokens.access_token}` })).status,
  ).toBe(401)
})
