import { beforeEach, describe, expect, test } from 'vitest'
import fc from 'fast-check'
import { Client, OAuthError } from '@oidckit/core'
import type { DeviceAuthorization } from '@oidckit/core'
import { createHostileProvider } from './hostile-provider.js'
import type { HostileProvider } from './hostile-provider.js'
import { expectNoSecrets, rejectionOf, secret } from './secret-leaks.js'

// RP-10, RP-18, C-18: no error core throws holds a token or secret at any depth, whatever the
// provider answers: not in the message, the cause chain, a property, a Response or a parsed body.

const FAR = 4_102_444_800

let idp: HostileProvider
let client: Client
let s: Secrets

interface Secrets {
  accessToken: string
  refreshToken: string
  idToken: string
  clientSecret: string
  code: string
  verifier: string
  deviceCode: string
}

function all(): string[] {
  // The ID token's payload segment counts too: it is what a signature check hashes.
  return [...Object.values(s), s.idToken.split('.')[1] ?? '']
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

beforeEach(async () => {
  idp = await createHostileProvider({ issuer: `https://hostile-${crypto.randomUUID()}.test` })
  idp.metadata.introspection_endpoint = `${idp.issuer}/introspect`
  idp.metadata.revocation_endpoint = `${idp.issuer}/revoke`
  idp.claims.nonce = 'the-nonce'
  s = {
    accessToken: secret('AT'),
    refreshToken: secret('RT'),
    idToken: await idp.signIdToken({ nonce: 'the-nonce' }),
    clientSecret: secret('CS'),
    code: secret('CODE'),
    verifier: secret('VERIFIER'),
    deviceCode: secret('DC'),
  }
  client = await Client.discover({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: s.clientSecret,
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
  })
})

type Grant = 'code' | 'refresh' | 'client_credentials' | 'device'
const grants: Grant[] = ['code', 'refresh', 'client_credentials', 'device']

/** What each grant sends: these may come back echoed in an answer. */
function sent(grant: Grant): (keyof Secrets)[] {
  switch (grant) {
    case 'code':
      return ['code', 'verifier', 'clientSecret']
    case 'refresh':
      return ['refreshToken', 'clientSecret']
    case 'client_credentials':
      return ['clientSecret']
    case 'device':
      return ['deviceCode', 'clientSecret']
  }
}

function runGrant(grant: Grant): Promise<unknown> {
  switch (grant) {
    case 'code':
      return rejectionOf(
        client.authorizationCodeGrant(
          idp.callback({ code: s.code, state: 'the-state', iss: idp.issuer }),
          { state: 'the-state', nonce: 'the-nonce', codeVerifier: s.verifier },
        ),
      )
    case 'refresh':
      return rejectionOf(client.refresh(s.refreshToken))
    case 'client_credentials':
      return rejectionOf(client.clientCredentials({ scope: 'api:read' }))
    case 'device': {
      const device: DeviceAuthorization = {
        deviceCode: s.deviceCode,
        userCode: 'BCDF-GHJK',
        verificationUri: `${idp.issuer}/activate`,
        verificationUriComplete: undefined,
        expiresIn: 600,
        expiresAt: FAR,
        interval: 0,
      }
      return rejectionOf(client.pollDeviceToken(device))
    }
  }
}

const tokenMembers = ['access_token', 'refresh_token', 'id_token', 'device_code'] as const
const memberSecret = {
  access_token: 'accessToken',
  refresh_token: 'refreshToken',
  id_token: 'idToken',
  device_code: 'deviceCode',
} as const

describe('token endpoint', () => {
  test('RP-10, RP-18: an error answer keeps its error, description and status, and no secret sent or received', async () => {
    const answer = fc.record({
      grant: fc.constantFrom(...grants),
      status: fc.constantFrom(400, 401, 403, 429),
      error: fc.constantFrom('invalid_grant', 'invalid_client', 'invalid_request', 'access_denied'),
      extra: fc.subarray([...tokenMembers]),
      echo: fc.option(fc.nat(), { nil: undefined }),
      challenge: fc.constantFrom('none', 'basic', 'bearer'),
    })
    await fc.assert(
      fc.asyncProperty(answer, async (a) => {
        const body: Record<string, unknown> = { error: a.error }
        for (const member of a.extra) body[member] = s[memberSecret[member]]
        const known = [...sent(a.grant), ...a.extra.map((member) => memberSecret[member])]
        const echoed = a.echo === undefined ? undefined : s[known[a.echo % known.length]!]
        const description = echoed ? `the grant ${echoed} was refused` : 'refused'
        body.error_description = description
        const headers: Record<string, string> = { 'retry-after': '7' }
        if (a.challenge === 'basic') headers['www-authenticate'] = 'Basic realm="hostile"'
        if (a.challenge === 'bearer') {
          headers['www-authenticate'] =
            `Bearer error="${a.error}", error_description="${description}"`
        }
        idp.routes['/token'] = () => json(body, a.status, headers)
        const err = await runGrant(a.grant)
        expect(err).toBeInstanceOf(OAuthError)
        expect(err).toMatchObject({ code: 'ERR_OAUTH_RESPONSE', error: a.error, status: a.status })
        const oauth = err as OAuthError
        expect(oauth.errorDescription).toMatch(/refused/)
        expect(oauth.response?.status).toBe(a.status)
        expect(oauth.response?.headers.get('retry-after')).toBe('7')
        await expectNoSecrets(err, all())
      }),
      { numRuns: 40 },
    )
  })

  test('RP-10: a malformed success answer keeps none of the tokens it carries', async () => {
    const malformation = fc.constantFrom<[string, Record<string, unknown> | string]>(
      ['no token_type', { token_type: undefined }],
      ['numeric token_type', { token_type: 42 }],
      ['unsupported token_type', { token_type: 'mac' }],
      ['bad expires_in', { expires_in: 'soon' }],
      ['negative expires_in', { expires_in: -5 }],
      ['numeric refresh_token', { refresh_token: 42, id_token: undefined }],
      ['array scope', { scope: ['openid'] }],
      ['numeric id_token', { id_token: 42 }],
      ['not a JWT', { id_token: 'SECRET-ID-not-a-jwt' }],
      ['an array', 'array'],
      ['a bare token', 'bare'],
      ['truncated JSON', 'truncated'],
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...grants), malformation, async (grant, [, change]) => {
        const base: Record<string, unknown> = {
          access_token: s.accessToken,
          token_type: 'Bearer',
          expires_in: 300,
          refresh_token: s.refreshToken,
          id_token: s.idToken,
          scope: 'openid',
        }
        let text: string
        if (change === 'array') text = JSON.stringify([base])
        else if (change === 'bare') text = s.accessToken
        else if (change === 'truncated') text = JSON.stringify(base).slice(0, -20)
        else text = JSON.stringify({ ...base, ...(change as Record<string, unknown>) })
        idp.routes['/token'] = () =>
          new Response(text, { headers: { 'content-type': 'application/json' } })
        const err = await runGrant(grant)
        expect((err as { code?: unknown }).code).toMatch(/^ERR_/)
        await expectNoSecrets(err, [...all(), 'SECRET-ID-not-a-jwt'])
      }),
      { numRuns: 40 },
    )
  })

  test('RP-10, RP-2: an ID token that fails validation leaves no token in the error', async () => {
    const cases: [string, () => Promise<string> | string][] = [
      ['foreign key', () => idp.signWithForeignKey({ nonce: 'the-nonce' })],
      ['alg none', () => idp.unsigned({ nonce: 'the-nonce' })],
      ['HS256 with the public key', () => idp.signHmacWithPublicKey({ nonce: 'the-nonce' })],
      ['unknown kid', () => idp.signIdToken({ nonce: 'the-nonce' }, { kid: 'nope' })],
      ['wrong iss', () => idp.signIdToken({ nonce: 'the-nonce', iss: 'https://evil.test' })],
      ['wrong aud', () => idp.signIdToken({ nonce: 'the-nonce', aud: 'other' })],
      ['wrong nonce', () => idp.signIdToken({ nonce: 'another' })],
      ['expired', () => idp.signIdToken({ nonce: 'the-nonce', exp: idp.now() - 600 })],
      ['issued in the future', () => idp.signIdToken({ nonce: 'the-nonce', iat: FAR })],
      ['wrong at_hash', () => idp.signIdToken({ nonce: 'the-nonce', at_hash: 'AAAA' })],
    ]
    for (const [name, make] of cases) {
      const idToken = await make()
      idp.routes['/token'] = () =>
        json({
          access_token: s.accessToken,
          token_type: 'Bearer',
          expires_in: 300,
          refresh_token: s.refreshToken,
          id_token: idToken,
        })
      const err = await runGrant('code')
      expect((err as { name?: unknown }).name, name).toBe('TokenValidationError')
      await expectNoSecrets(err, [...all(), idToken, idToken.split('.')[1] ?? ''])
    }
  })
})

describe('callback', () => {
  test('RP-10: a callback refused for its error, iss or state keeps no authorization code', async () => {
    const cases: Record<string, string | undefined>[] = [
      { error: 'access_denied', error_description: `denied ${s.code}`, iss: idp.issuer },
      { iss: 'https://evil.test' },
      { state: 'forged', iss: idp.issuer },
      { iss: undefined },
    ]
    for (const extra of cases) {
      const url = idp.callback({ code: s.code, state: 'the-state', ...extra })
      const err = await rejectionOf(
        client.authorizationCodeGrant(url, {
          state: 'the-state',
          nonce: 'the-nonce',
          codeVerifier: s.verifier,
        }),
      )
      await expectNoSecrets(err, all())
    }
  })
})

describe('device authorization', () => {
  test('RP-10, RP-19: a malformed or refused device authorization keeps no device_code', async () => {
    const answers = [
      json({ device_code: s.deviceCode, user_code: 'BCDF-GHJK', expires_in: 600 }),
      json({ device_code: s.deviceCode, verification_uri: 'https://x.test', expires_in: 'x' }),
      json({ error: 'invalid_client', error_description: `no ${s.clientSecret}` }, 401),
      json({ device_code: s.deviceCode }, 404),
    ]
    for (const answer of answers) {
      idp.routes['/device'] = () => answer
      await expectNoSecrets(
        await rejectionOf(client.deviceAuthorization({ scope: 'openid' })),
        all(),
      )
    }
  })
})

describe('userinfo, introspection and revocation', () => {
  test('RP-10, C-18: a refused or malformed userinfo answer keeps no access token', async () => {
    const answers = [
      new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': `Bearer error="invalid_token", error_description="${s.accessToken} is revoked"`,
        },
      }),
      json({ sub: 'mallory', access_token: s.accessToken }),
      json({ access_token: s.accessToken }),
      json({ error: 'invalid_token', error_description: `unknown ${s.accessToken}` }, 404),
    ]
    for (const answer of answers) {
      idp.routes['/userinfo'] = () => answer
      const err = await rejectionOf(client.userinfo(s.accessToken, { expectedSubject: 'alice' }))
      await expectNoSecrets(err, all())
    }
  })

  test('RP-10, RP-22: a refused or malformed introspection answer keeps no token', async () => {
    const answers = [
      json({ active: 'yes', token: s.accessToken }),
      json({ error: 'invalid_request', error_description: `what is ${s.accessToken}?` }, 400),
      json({ active: true, token: s.accessToken }, 404),
      json({ error: 'invalid_client' }, 401, { 'www-authenticate': 'Basic realm="x"' }),
    ]
    for (const answer of answers) {
      idp.routes['/introspect'] = () => answer
      await expectNoSecrets(await rejectionOf(client.introspect(s.accessToken)), all())
    }
  })

  test('RP-10, RP-20: a refused revocation keeps no token, also not from a redirect', async () => {
    const answers = [
      json({ error: 'invalid_request', error_description: `cannot revoke ${s.refreshToken}` }, 400),
      json({ refresh_token: s.refreshToken }, 404),
      new Response(null, {
        status: 302,
        headers: { location: `https://evil.test/revoked?token=${s.refreshToken}` },
      }),
    ]
    for (const answer of answers) {
      idp.routes['/revoke'] = () => answer
      await expectNoSecrets(await rejectionOf(client.revoke(s.refreshToken)), all())
    }
  })
})

describe('discovery and transport', () => {
  test('RP-10, RP-7: a discovery failure keeps nothing of the answer', async () => {
    const hidden = secret('DISCOVERY')
    const answers = [
      json({ ...idp.metadata, issuer: 'https://evil.test', initial_access_token: hidden }),
      json({ issuer: 42, initial_access_token: hidden }),
      json([{ initial_access_token: hidden }]),
      json({ initial_access_token: hidden }, 404),
      new Response(hidden, { headers: { 'content-type': 'application/json' } }),
    ]
    for (const answer of answers) {
      const issuer = `https://hostile-${crypto.randomUUID()}.test`
      const err = await rejectionOf(
        Client.discover({ issuer, clientId: 'app', fetch: async () => answer }),
      )
      await expectNoSecrets(err, [hidden])
    }
  })

  test('RP-10: a failed exchange keeps neither the request nor a foreign error holding it', async () => {
    // A fetch whose error keeps the request (body and Authorization header) as a property.
    const failing = (request: Request) =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error(`socket hang up (${request.method})`), { request }),
        }),
      )
    const failingClient = await Client.discover({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: s.clientSecret,
      fetch: (request) =>
        new URL(request.url).pathname === '/token' ? failing(request) : idp.fetch(request),
    })
    const err = await rejectionOf(failingClient.refresh(s.refreshToken))
    expect(err).toMatchObject({ code: 'ERR_CONNECTION_FAILED', message: /socket hang up/ })
    await expectNoSecrets(err, all())
  })
})
