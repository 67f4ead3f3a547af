import { beforeEach, expect, test } from 'vitest'
import fc from 'fast-check'
import { OAuthError, createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceEvent, TokenSourceOptions } from '@oidckit/service-credentials'
import type { MockIdp } from '@oidckit/mock-idp'
import { API, ISSUER, createIdp } from './helpers.js'
import { expectNoSecrets, rejectionOf, secret } from '../../core/test/secret-leaks.js'

// RP-18, RP-10: neither what getToken() or fetch() reject with, nor an event's error, holds the
// client secret or a token, whatever the token endpoint answers.

let idp: MockIdp
let clientSecret: string
let accessToken: string
let events: TokenSourceEvent[]
/** Replaces mock-idp's token endpoint answer while set. */
let tokenAnswer: (() => Response) | undefined
/** Tokens the API refuses with `invalid_token`. */
let revoked: Set<string>

beforeEach(() => {
  clientSecret = secret('CS')
  accessToken = secret('AT')
  idp = createIdp([
    {
      clientId: 'svc',
      clientSecret,
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['client_credentials'],
      scope: 'api:read',
    },
  ])
  events = []
  tokenAnswer = undefined
  revoked = new Set()
})

function api(request: Request): Response {
  const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''
  if (!revoked.has(token)) return Response.json({ ok: true })
  return new Response(null, {
    status: 401,
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  })
}

const source = (extra: Partial<TokenSourceOptions> = {}) =>
  createTokenSource({
    issuer: ISSUER,
    clientId: 'svc',
    clientSecret,
    scope: 'api:read',
    retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 1 },
    onEvent: (event) => events.push(event),
    fetch: async (request) => {
      if (!request.url.startsWith(ISSUER)) return api(request)
      if (tokenAnswer && new URL(request.url).pathname === '/oauth/token') return tokenAnswer()
      return idp.fetch(request)
    },
    ...extra,
  })

/** The rejection and every event's error hold none of `secrets`. */
async function expectClean(err: unknown, secrets: string[]) {
  await expectNoSecrets(err, secrets)
  for (const event of events) {
    if ('error' in event) await expectNoSecrets(event.error, secrets)
  }
}

test('RP-18: a refusal from mock-idp that echoes the client secret keeps it out of the error and the event', async () => {
  idp.injectFault({
    endpoint: 'token',
    kind: 'oauth_error',
    error: 'invalid_client',
    errorDescription: `client secret ${clientSecret} does not match`,
    status: 401,
  })
  const err = await rejectionOf(source().getToken())
  expect(err).toBeInstanceOf(OAuthError)
  expect(err).toMatchObject({ error: 'invalid_client', status: 401 })
  expect((err as OAuthError).errorDescription).toMatch(/does not match/)
  expect(events.map((event) => event.type)).toEqual(['refresh_failed'])
  await expectClean(err, [clientSecret])
})

test('RP-18, RP-10: no refused or malformed token answer leaves a secret in getToken()’s error or an event', async () => {
  const answer = fc.oneof(
    fc.record({
      kind: fc.constant('refusal' as const),
      status: fc.constantFrom(400, 401, 429),
      error: fc.constantFrom('invalid_client', 'invalid_scope', 'slow_down'),
      echo: fc.constantFrom('none', 'clientSecret', 'accessToken'),
      withToken: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('malformed' as const),
      shape: fc.constantFrom(
        { token_type: undefined },
        { token_type: 'mac' },
        { expires_in: 'soon' },
        { scope: 42 },
        'bare',
        'array',
      ),
    }),
  )
  await fc.assert(
    fc.asyncProperty(answer, async (a) => {
      events = []
      const base = { access_token: accessToken, token_type: 'Bearer', expires_in: 300 }
      let text: string
      let status = 200
      if (a.kind === 'refusal') {
        const echoed =
          a.echo === 'none' ? '' : ` ${a.echo === 'clientSecret' ? clientSecret : accessToken}`
        const body: Record<string, unknown> = {
          error: a.error,
          error_description: `refused${echoed}`,
        }
        if (a.withToken || a.echo === 'accessToken') body.access_token = accessToken
        text = JSON.stringify(body)
        status = a.status
      } else if (a.shape === 'bare') text = accessToken
      else if (a.shape === 'array') text = JSON.stringify([base])
      else text = JSON.stringify({ ...base, ...(a.shape as object) })
      tokenAnswer = () =>
        new Response(text, { status, headers: { 'content-type': 'application/json' } })
      const err = await rejectionOf(source().getToken())
      expect((err as { code?: unknown }).code).toMatch(/^ERR_/)
      await expectClean(err, [clientSecret, accessToken])
    }),
    { numRuns: 30 },
  )
})

test('C-18, RP-18: fetch() rejects without a secret when the token after an invalid_token cannot be had', async () => {
  const s = source()
  const first = await s.getToken()
  revoked.add(first)
  tokenAnswer = () =>
    Response.json({ access_token: accessToken, token_type: 'Bearer', expires_in: 'soon' })
  const err = await rejectionOf(s.fetch(`${API}/api/orders`))
  expect(events.map((event) => event.type)).toEqual([
    'token_fetched',
    'token_rejected',
    'refresh_failed',
  ])
  await expectClean(err, [clientSecret, accessToken, first])
})
