import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { CredentialStore, deviceLogin, getTokenSet } from '@oidckit/device-cli'
import type { DeviceLoginOptions } from '@oidckit/device-cli'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider } from '../src/hostile-provider.js'
import {
  ID_TOKEN_CASES,
  TOKEN_ENDPOINT_CASES,
  endpointRows,
  expectNetworkError,
  expectTokenValidationError,
  jwtRows,
  rejectionOf,
} from '../src/hostile-cases.js'

// @oidckit/device-cli's deviceLogin against a hostile provider: bad token endpoint answers while
// polling, and bad ID tokens in the final token response. Each test has its own provider, so
// they run concurrently.

async function setup(pendingPolls = 0): Promise<HostileProvider> {
  const idp = await createHostileProvider()
  idp.pendingPolls = pendingPolls
  // RFC 8628 asks for whole seconds; oauth4webapi takes any positive number, which keeps the
  // polling tests fast.
  idp.deviceInterval = 0.01
  return idp
}

function login(idp: HostileProvider, options: Partial<DeviceLoginOptions> = {}) {
  return deviceLogin({
    issuer: idp.issuer,
    clientId: idp.clientId,
    scope: 'openid offline_access',
    fetch: idp.fetch,
    onCode: () => undefined,
    intervalMargin: 0,
    ...options,
  })
}

const polls = (idp: HostileProvider) =>
  idp.grants.filter((g) => g === 'urn:ietf:params:oauth:grant-type:device_code').length

test.concurrent(
  'RP-19: signs in after authorization_pending with a well-formed ID token',
  async () => {
    const idp = await setup(1)
    const tokens = await login(idp)
    expect(tokens.claims()?.sub).toBe('alice')
    expect(polls(idp)).toBe(2)
  },
)

// No nonce is sent in the device flow, so the nonce cases do not apply.
test.concurrent.each(jwtRows(ID_TOKEN_CASES.filter((c) => !c.fault.endsWith('nonce'))))(
  '%s: deviceLogin rejects an ID token whose %s (%s)',
  async (_req, _why, _fault, { fault, code, claim }) => {
    const idp = await setup()
    idp.idTokenFault = fault
    expectTokenValidationError(await rejectionOf(login(idp)), { code, claim })
  },
)

test.concurrent.each(endpointRows(TOKEN_ENDPOINT_CASES.filter((c) => c.code !== 'ERR_TIMEOUT')))(
  'RP-10: deviceLogin stops polling on %s from the token endpoint, with %s',
  async (_why, _code, { fault, code }) => {
    const idp = await setup()
    idp.tokenFault = fault
    expectNetworkError(await rejectionOf(login(idp)), code)
    expect(polls(idp)).toBe(1)
  },
)

test.concurrent(
  'RP-10: deviceLogin over loopback HTTP rejects a 5 MB token response while polling',
  async () => {
    const idp = await setup()
    const server = await idp.listen()
    try {
      idp.tokenFault = 'huge-body'
      expectNetworkError(
        await rejectionOf(login(idp, { fetch: undefined })),
        'ERR_RESPONSE_TOO_LARGE',
      )
    } finally {
      await server.close()
    }
  },
)

describe('with fake timers', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  test('RP-10: deviceLogin fails with ERR_TIMEOUT when the token endpoint stays silent (core’s 10 s timeout)', async () => {
    const idp = await setup()
    idp.tokenFault = 'silence'
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const result = rejectionOf(login(idp))
    // Move the poll interval on until the poll has reached the provider (counted as it arrives,
    // before its body is read; vitest's test timeout bounds the wait), then move core's 10 s
    // timeout of that silent request on.
    const arrived = () => idp.hits['/token'] ?? 0
    while (arrived() === 0) await vi.advanceTimersByTimeAsync(10)
    await vi.advanceTimersByTimeAsync(10_000)
    expectNetworkError(await result, 'ERR_TIMEOUT')
    expect(arrived()).toBe(1)
  })
})

describe('getTokenSet: refreshing stored tokens', () => {
  const SCOPE = 'offline_access openid'

  async function stored(idp: HostileProvider) {
    const configDir = await mkdtemp(join(tmpdir(), 'hostile-cli-'))
    const tokens = await login(idp)
    const key = { issuer: idp.issuer, clientId: idp.clientId, scope: SCOPE }
    await new CredentialStore({ configDir, env: {} }).set(key, tokens)
    // A minimum validity beyond the 300 s expires_in: the stored access token needs a refresh.
    const options = { ...key, configDir, env: {}, fetch: idp.fetch, minValidity: 400 }
    return { configDir, key, options, before: JSON.stringify((await read(configDir, key))?.tokens) }
  }
  const read = (configDir: string, key: { issuer: string; clientId: string; scope: string }) =>
    new CredentialStore({ configDir, env: {} }).get(key)

  test('RP-5: refreshes stored tokens when the refreshed ID token describes the same user', async () => {
    const idp = await setup()
    const { options, configDir } = await stored(idp)
    try {
      const fresh = await getTokenSet(options)
      expect(fresh.claims()?.sub).toBe('alice')
      expect(idp.grants.at(-1)).toBe('refresh_token')
    } finally {
      await rm(configDir, { recursive: true, force: true })
    }
  })

  test.each<[string, (idp: HostileProvider) => void, string, string]>([
    [
      'its sub is another user',
      (idp) => void (idp.subject = 'mallory'),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'sub',
    ],
    [
      'it is signed by a foreign key',
      (idp) => void (idp.idTokenFault = 'bad-signature'),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'signature',
    ],
    [
      'its nonce differs from the original',
      (idp) => void (idp.idTokenFault = 'wrong-nonce'),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'nonce',
    ],
  ])(
    'RP-5: a refreshed ID token where %s is rejected and the stored login is kept',
    async (_why, breakIt, code, claim) => {
      const idp = await setup()
      const { options, configDir, key, before } = await stored(idp)
      try {
        breakIt(idp)
        const err = await rejectionOf(getTokenSet(options))
        expectTokenValidationError(err, { code, claim })
        expect(JSON.stringify((await read(configDir, key))?.tokens)).toBe(before)
      } finally {
        await rm(configDir, { recursive: true, force: true })
      }
    },
  )

  test('RP-10, RP-20: a token endpoint answering HTML on refresh fails typed and keeps the stored login', async () => {
    const idp = await setup()
    const { options, configDir, key, before } = await stored(idp)
    try {
      idp.tokenFault = 'html'
      const err = await rejectionOf(getTokenSet(options))
      expectNetworkError(err, 'ERR_RESPONSE_NOT_JSON')
      expect(JSON.stringify((await read(configDir, key))?.tokens)).toBe(before)
    } finally {
      await rm(configDir, { recursive: true, force: true })
    }
  })
})
