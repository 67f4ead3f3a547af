import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import { createApi } from '../src/app.js'

const idp = createMockIdp()
let idpServer: { url: string; close(): Promise<void> }
let api: Server
let base: string

beforeAll(async () => {
  idpServer = await idp.listen({ port: 0 })
  api = createApi({ issuer: idpServer.url }).listen(0, '127.0.0.1')
  await new Promise((resolve) => api.once('listening', resolve))
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => api.close(resolve))
  await idpServer.close()
})

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

test('serves /api/public without a token', async () => {
  const res = await get('/api/public')
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual({ message: 'Public data: no token needed.' })
})

test('serves /api/me to a user with a valid access token', async () => {
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid profile' })
  const res = await get('/api/me', bearer(tokens.access_token))
  expect(res.status).toBe(200)
  const body = await res.json()
  expect(body).toMatchObject({ sub: 'user-alice', name: 'Alice Liddell', clientId: 'spa' })
})

test('RP-15: answers /api/me without a token with 401 and a Bearer challenge', async () => {
  const res = await get('/api/me')
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toBe('Bearer')
})

test('RP-15: answers a malformed Authorization header with 400 invalid_request', async () => {
  const res = await get('/api/me', { authorization: 'Bearer' })
  expect(res.status).toBe(400)
  expect((await res.json()).error).toBe('invalid_request')
})

test('answers a forged token with 401 invalid_token and no stack trace', async () => {
  const res = await get('/api/me', bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'))
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
  expect(await res.text()).not.toMatch(/\n\s+at /)
})

test('RP-14: refuses an ID token presented as an access token', async () => {
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid' })
  const res = await get('/api/me', bearer(tokens.id_token!))
  expect(res.status).toBe(401)
})

test('C-18: refuses a token issued for another resource server', async () => {
  const tokens = await idp.issueTokens({
    user: 'alice',
    clientId: 'spa',
    resource: 'https://other-api.example',
  })
  const res = await get('/api/me', bearer(tokens.access_token))
  expect(res.status).toBe(401)
})

test('answers /api/data with 403 insufficient_scope when the token lacks api:read', async () => {
  const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid profile' })
  const res = await get('/api/data', bearer(tokens.access_token))
  expect(res.status).toBe(403)
  expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  expect(res.headers.get('www-authenticate')).toContain('scope="api:read"')
})

test('serves /api/data to the service client through a real client-credentials grant', async () => {
  const response = await fetch(`${idpServer.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('service:service-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }),
  })
  const { access_token: accessToken } = (await response.json()) as { access_token: string }
  const res = await get('/api/data', bearer(accessToken))
  expect(res.status).toBe(200)
  expect((await res.json()).items).toHaveLength(2)
})

test('answers CORS preflights from the SPA origin', async () => {
  for (const origin of ['http://localhost:5173', 'http://127.0.0.1:5173']) {
    const res = await fetch(`${base}/api/data`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-headers': 'authorization' },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(origin)
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization')
  }
})

test('grants no CORS access to other origins', async () => {
  const res = await get('/api/public', { origin: 'https://evil.example' })
  expect(res.headers.get('access-control-allow-origin')).toBeNull()
})

test('answers unknown paths with a JSON 404', async () => {
  const res = await get('/nope')
  expect(res.status).toBe(404)
})
