import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import fc from 'fast-check'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import type { FetchLike } from '@oidckit/core'
import { CredentialStore, TokenSet, deviceLogin, getToken } from '@oidckit/device-cli'
import { main } from '../src/cli/main.js'
import { counted, fakeTime, settle, tempDir } from './helpers.js'
import { expectNoSecrets, rejectionOf, secret } from '../../core/test/secret-leaks.js'

// RP-19, RP-20, RP-10: what deviceLogin() and getToken() reject with, and what the CLI prints,
// holds no device_code and no token, whatever the provider answers. mock-idp serves everything
// but the answers a test replaces.

const issuer = 'https://idp.test'
const scope = 'openid profile offline_access'
let idp: MockIdp
let dir: string
let remove: () => Promise<void>
/** The device_code of mock-idp's last device authorization answer. */
let deviceCode: string
/** Replaces mock-idp's device authorization answer (given the real one) while set. */
let deviceAnswer: ((body: Record<string, unknown>) => Response) | undefined
/** Replaces mock-idp's token answer (given the form sent) while set. */
let tokenAnswer: ((form: URLSearchParams) => Response) | undefined
/** Replaces mock-idp's userinfo answer while set. */
let userinfoAnswer: ((accessToken: string) => Response) | undefined
let at: string
let rt: string

beforeEach(async () => {
  idp = createMockIdp({ issuer })
  await idp.jwks()
  ;({ dir, remove } = await tempDir())
  deviceCode = ''
  deviceAnswer = tokenAnswer = userinfoAnswer = undefined
  at = secret('AT')
  rt = secret('RT')
})

afterEach(async () => {
  vi.useRealTimers()
  await remove()
})

const fetch: FetchLike = counted(async (request) => {
  const path = new URL(request.url).pathname
  if (path === '/oauth/token' && tokenAnswer) {
    return tokenAnswer(new URLSearchParams(await request.clone().text()))
  }
  if (path === '/oauth/userinfo' && userinfoAnswer) {
    return userinfoAnswer(request.headers.get('authorization')?.split(' ')[1] ?? '')
  }
  const response = await idp.fetch(request)
  if (path === '/oauth/device/code' && response.ok) {
    const body = (await response.clone().json()) as Record<string, unknown>
    deviceCode = String(body.device_code)
    if (deviceAnswer) return deviceAnswer(body)
  }
  return response
})

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** A refusal or a malformed success, echoing what was sent when asked to. */
const answer = fc.oneof(
  fc.record({
    kind: fc.constant('refusal' as const),
    error: fc.constantFrom('access_denied', 'expired_token', 'invalid_grant', 'invalid_request'),
    echo: fc.boolean(),
    withTokens: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('malformed' as const),
    shape: fc.constantFrom(
      { token_type: undefined },
      { token_type: 'mac' },
      { expires_in: 'soon' },
      { refresh_token: 42 },
      'bare',
    ),
  }),
)
type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never

function serve(a: Answer, sent: string): Response {
  const tokens = { access_token: at, token_type: 'Bearer', expires_in: 300, refresh_token: rt }
  if (a.kind === 'malformed') {
    return json(a.shape === 'bare' ? at : { ...tokens, ...(a.shape as object) })
  }
  const body: Record<string, unknown> = {
    error: a.error,
    error_description: a.echo ? `refused ${sent}` : 'refused',
  }
  return json(a.withTokens ? { ...tokens, ...body } : body, 400)
}

function login() {
  return deviceLogin({
    issuer,
    clientId: 'cli',
    scope,
    onCode: () => undefined,
    fetch,
    intervalMargin: 0,
  })
}

test('RP-19, RP-10: deviceLogin() rejects without the device_code or a token, whatever the poll answers', async () => {
  await fc.assert(
    fc.asyncProperty(answer, async (a) => {
      tokenAnswer = (form) => serve(a, form.get('device_code') ?? '')
      fakeTime()
      const err = await settle(rejectionOf(login()))
      vi.useRealTimers()
      expect(deviceCode).not.toBe('')
      await expectNoSecrets(err, [deviceCode, at, rt])
    }),
    { numRuns: 15 },
  )
})

test('RP-19, RP-10: a malformed device authorization answer leaves its device_code out of the error', async () => {
  deviceAnswer = ({ verification_uri: _uri, ...rest }) => json(rest)
  const err = await rejectionOf(login())
  expect(err).toMatchObject({ code: 'ERR_RESPONSE_INVALID' })
  await expectNoSecrets(err, [deviceCode])
})

async function seedExpired(): Promise<TokenSet> {
  const body = await idp.issueTokens({ user: 'alice', clientId: 'cli', scope })
  const tokens = new TokenSet({
    accessToken: body.access_token,
    tokenType: body.token_type,
    expiresAt: 1,
    refreshToken: body.refresh_token,
    idToken: body.id_token,
  })
  await new CredentialStore({ configDir: dir }).set({ issuer, clientId: 'cli', scope }, tokens)
  return tokens
}

test('RP-20, RP-10: getToken() rejects without the refresh token or a new token when the refresh fails', async () => {
  await fc.assert(
    fc.asyncProperty(answer, async (a) => {
      const stored = await seedExpired()
      tokenAnswer = (form) => serve(a, form.get('refresh_token') ?? '')
      const err = await rejectionOf(
        getToken({ issuer, clientId: 'cli', scope, configDir: dir, fetch, env: {} }),
      )
      await expectNoSecrets(err, [stored.refreshToken!, stored.accessToken, at, rt])
    }),
    { numRuns: 15 },
  )
})

function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = main(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { OIDCKIT_CONFIG_DIR: dir, OIDCKIT_ISSUER: issuer, OIDCKIT_SCOPE: scope },
    platform: 'linux',
    fetch,
  })
  return { code, output: () => out.join('') + err.join('') }
}

test('RP-19, RP-10: the CLI’s error output names no device_code or token, as text or JSON', async () => {
  for (const json of [[], ['--json']]) {
    const stored = await seedExpired()
    const secrets = [stored.refreshToken!, stored.accessToken, at, rt]

    tokenAnswer = (form) =>
      serve(
        { kind: 'refusal', error: 'invalid_request', echo: true, withTokens: true },
        form.get('refresh_token') ?? '',
      )
    const token = run(['token', ...json])
    expect(await token.code).toBe(1)
    expect(token.output()).toMatch(/invalid_request/)
    for (const value of secrets) expect(token.output()).not.toContain(value)

    tokenAnswer = undefined
    userinfoAnswer = (accessToken) =>
      new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': `Bearer error="invalid_token", error_description="${accessToken} was revoked"`,
        },
      })
    const whoami = run(['whoami', ...json])
    expect(await whoami.code).toBe(1)
    expect(whoami.output()).toMatch(/invalid_token/)
    const current = (await new CredentialStore({ configDir: dir }).get({
      issuer,
      clientId: 'cli',
      scope,
    }))!
    for (const value of [...secrets, current.tokens.accessToken]) {
      expect(whoami.output()).not.toContain(value)
    }

    userinfoAnswer = undefined
    tokenAnswer = (form) =>
      serve(
        { kind: 'refusal', error: 'invalid_grant', echo: true, withTokens: true },
        form.get('device_code') ?? '',
      )
    fakeTime()
    const login = run(['login', '--no-browser', ...json])
    expect(await settle(login.code)).toBe(1)
    vi.useRealTimers()
    expect(login.output()).toMatch(/invalid_grant/)
    for (const value of [deviceCode, at, rt]) expect(login.output()).not.toContain(value)
  }
})
