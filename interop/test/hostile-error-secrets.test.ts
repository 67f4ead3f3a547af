import { inspect } from 'node:util'
import { beforeEach, expect, test } from 'vitest'
import { Client, createPkce, randomNonce, randomState } from '@oidckit/core'
import type { TokenSet } from '@oidckit/core'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { CallbackFault, HostileProvider, JwtFault } from '../src/hostile-provider.js'
import { ID_TOKEN_CASES, KEY_CASES, rejectionOf } from '../src/hostile-cases.js'

// RP-10, RP-18: @oidckit/core against the hostile provider, which sends real tokens with its bad
// answers: no error may hold a code, a verifier, the client secret or a token it sent, at any
// depth. packages/*/test/error-secrets.test.ts sweep every error path with hand-built answers.

let idp: HostileProvider
let client: Client
let clientSecret: string
/** What the test's token endpoint exchanges carried: the form sent and the answer's tokens. */
let seen: string[]
/** The credentials of the last token request's form. */
let sent: string[]
/** Rewrites the provider's token answer (a parsed JSON object) while set. */
let rewrite: ((body: Record<string, unknown>) => unknown) | undefined

beforeEach(async () => {
  idp = await createHostileProvider()
  clientSecret = `SECRET-CS-${crypto.randomUUID()}`
  seen = [clientSecret]
  sent = []
  rewrite = undefined
  client = await Client.discover({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret,
    redirectUri: idp.redirectUri,
    fetch: async (request) => {
      if (new URL(request.url).pathname !== '/token') return idp.fetch(request)
      sent = []
      for (const [name, value] of new URLSearchParams(await request.clone().text())) {
        if (/code|token|verifier/.test(name)) sent.push(value)
      }
      seen.push(...sent)
      const response = await idp.fetch(request)
      const body = (await response.clone().json()) as Record<string, unknown>
      for (const name of ['access_token', 'refresh_token', 'id_token', 'device_code']) {
        if (typeof body[name] === 'string') seen.push(body[name])
      }
      if (!rewrite || !response.ok) return response
      const answer = rewrite(body) as Record<string, unknown>
      return new Response(JSON.stringify(answer), {
        status: answer.error ? 400 : 200,
        headers: { 'content-type': 'application/json' },
      })
    },
  })
})

/** Fails when any of `secrets` is in what a reporter prints of `err`, or in a property. */
function expectNoSecrets(err: unknown, secrets: readonly string[]) {
  expect(err).toBeInstanceOf(Error)
  const texts = [
    inspect(err, { depth: Infinity, showHidden: true }),
    JSON.stringify(err),
    String((err as Error).stack),
  ]
  const walk = (value: unknown, seenValues = new Set<unknown>()): void => {
    if (typeof value === 'string') texts.push(value)
    if (typeof value !== 'object' || value === null || seenValues.has(value)) return
    seenValues.add(value)
    if (value instanceof URLSearchParams) texts.push(value.toString())
    if (ArrayBuffer.isView(value) && value.byteLength > 0) {
      texts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString())
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (descriptor && 'value' in descriptor) walk(descriptor.value, seenValues)
    }
  }
  walk(err)
  const found = secrets.filter((value) => texts.some((text) => text.includes(value)))
  expect(found).toEqual([])
}

/** The code flow against the provider; returns the callback's code and the verifier too. */
async function codeFlow() {
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid',
    state,
    nonce,
    codeChallenge: pkce.challenge,
  })
  const callback = idp.authorize(url.href)
  const code = new URL(callback).searchParams.get('code') ?? ''
  const result = client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  return { result, secrets: [code, pkce.verifier] }
}

test.each<CallbackFault>(['wrong-iss', 'missing-iss', 'wrong-state'])(
  'RP-8, C-1, RP-10: a forged callback (%s) leaves its code out of the error',
  async (fault) => {
    idp.callbackFault = fault
    const { result, secrets } = await codeFlow()
    expectNoSecrets(await rejectionOf(result), [...secrets, clientSecret])
  },
)

test('RP-2, RP-1, RP-10: an ID token refused for any hostile fault leaves no token in the error', async () => {
  const faults: JwtFault[] = [...ID_TOKEN_CASES, ...KEY_CASES].map((c) => c.fault)
  for (const fault of faults) {
    seen = [clientSecret]
    idp.idTokenFault = fault
    const { result, secrets } = await codeFlow()
    const err = await rejectionOf(result)
    // A JWT's payload segment counts too: it is what a signature check hashes.
    const payloads = seen.filter((v) => v.split('.').length === 3).map((v) => v.split('.')[1]!)
    expectNoSecrets(err, [...seen, ...secrets, ...payloads])
  }
})

const rewrites: [string, (body: Record<string, unknown>) => unknown][] = [
  ['without token_type', ({ token_type: _t, ...rest }) => rest],
  ['with an unknown token_type', (body) => ({ ...body, token_type: 'mac' })],
  ['with a bad expires_in', (body) => ({ ...body, expires_in: 'soon' })],
  ['as an array', (body) => [body]],
  [
    'refusing it with the tokens and an echo',
    (body) => ({
      ...body,
      error: 'invalid_grant',
      error_description: `not ${[...sent, body.access_token].join(' or ')}`,
    }),
  ],
]

test.each(rewrites)(
  'RP-10, RP-18: a token answer %s leaves no token, code or secret in any grant’s error',
  async (_name, change) => {
    const grants: (() => Promise<TokenSet>)[] = [
      async () => (await codeFlow()).result,
      async () => {
        rewrite = undefined
        const tokens = await (await codeFlow()).result
        rewrite = change
        return client.refresh(tokens)
      },
      () => client.clientCredentials({ scope: 'api:read' }),
      async () => {
        const device = await client.deviceAuthorization({ scope: 'openid' })
        return client.pollDeviceToken({ ...device, interval: 0 })
      },
    ]
    for (const grant of grants) {
      seen = [clientSecret]
      rewrite = change
      expectNoSecrets(await rejectionOf(grant()), seen)
    }
  },
)

test('RP-22, RP-10: an introspection answer that echoes the token leaves it out of the error', async () => {
  const token = `SECRET-AT-${crypto.randomUUID()}`
  idp.introspection = { active: 'yes', token }
  expectNoSecrets(await rejectionOf(client.introspect(token)), [token, clientSecret])
})
