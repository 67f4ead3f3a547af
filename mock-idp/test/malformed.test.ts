import { createMockIdp } from '@oidckit/mock-idp'
import fc from 'fast-check'
import { expect, test } from 'vitest'

const PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks',
  '/oauth/authorize',
  '/oauth/token',
  '/oauth/userinfo',
  '/oauth/introspect',
  '/oauth/revoke',
  '/oauth/device/code',
  '/device',
  '/oauth/logout',
  '/_mock/users',
  '/_mock/clock',
  '/_mock/faults',
]
const NAMES = [
  'grant_type',
  'code',
  'code_verifier',
  'redirect_uri',
  'client_id',
  'client_secret',
  'refresh_token',
  'scope',
  'resource',
  'device_code',
  'token',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'id_token_hint',
  'post_logout_redirect_uri',
  'client_assertion',
  'client_assertion_type',
  'user_code',
  'csrf_token',
  'tx',
  'action',
  'username',
  'password',
  'access_token',
]
const VALUES = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'urn:ietf:params:oauth:grant-type:device_code',
    'spa',
    'web-app',
    'service',
    'cli',
    'code',
    'S256',
    'plain',
    'none',
    'login',
    'openid',
    'http://localhost:5173/callback',
    'eyJhbGciOiJub25lIn0.e30.',
    '%zz',
    '\r\n',
    '-1',
    'NaN',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
)
const form = fc
  .array(fc.tuple(fc.constantFrom(...NAMES), VALUES), { maxLength: 8 })
  .map((pairs) =>
    pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
  )
const body = fc.oneof(
  form,
  fc.string({ maxLength: 200 }),
  fc.json(),
  fc.constant(''),
  fc.constant('{"a":{"b":1}}'),
)
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
  path: fc.constantFrom(...PATHS),
  query: form,
  body,
  contentType: fc.constantFrom(
    undefined,
    'application/x-www-form-urlencoded',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded; charset=utf-8',
  ),
  authorization: fc.constantFrom(
    undefined,
    'Basic',
    'Basic !!!',
    'Basic c2VydmljZTpzZXJ2aWNlLXNlY3JldA==',
    'Bearer',
    'Bearer x.y.z',
    'Bearer eyJhbGciOiJub25lIn0.e30.',
    'Digest x',
  ),
  cookie: fc.constantFrom(
    undefined,
    'mock_idp_session=x',
    'mock_idp_csrf=a; mock_idp_session',
    '=;;=',
    'mock_idp_csrf=' + 'A'.repeat(43),
  ),
  origin: fc.constantFrom(undefined, 'http://localhost:5173', 'null', 'https://evil.example'),
})

test('AS-17: thousands of malformed requests at every endpoint never get a 5xx', async () => {
  const idp = createMockIdp({ signingAlg: 'ES256', controlApi: true, autoLogin: true })
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers = new Headers()
      if (r.contentType) headers.set('content-type', r.contentType)
      if (r.authorization) headers.set('authorization', r.authorization)
      if (r.cookie) headers.set('cookie', r.cookie)
      if (r.origin) headers.set('origin', r.origin)
      const hasBody = r.method !== 'GET' && r.method !== 'HEAD'
      const res = await idp.fetch(
        new Request(`${idp.issuer}${r.path}?${r.query}`, {
          method: r.method,
          headers,
          body: hasBody ? r.body : undefined,
        }),
      )
      expect(res.status).toBeLessThan(500)
      const type = res.headers.get('content-type') ?? ''
      const text = await res.text()
      if (type.startsWith('application/json') && text) JSON.parse(text)
    }),
    { numRuns: 2500 },
  )
})
