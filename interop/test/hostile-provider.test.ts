import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { Client, TokenValidationError, createPkce, randomNonce, randomState } from '@oidckit/core'
import type { TokenSet } from '@oidckit/core'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider, HostileServer } from '../src/hostile-provider.js'
import {
  GENEROUS_TIMEOUT,
  ID_TOKEN_CASES,
  KEY_CASES,
  SILENT_TIMEOUT,
  TOKEN_ENDPOINT_CASES,
  endpointRows,
  expectNetworkError,
  expectTokenValidationError,
  jwtRows,
  rejectionOf,
} from '../src/hostile-cases.js'

// @oidckit/core against one hostile provider: every bad case is a typed error, every good one
// is accepted.

// The endpoint faults split by whether an answer ever completes.
const ANSWERED = TOKEN_ENDPOINT_CASES.filter((c) => c.code !== 'ERR_TIMEOUT')
const SILENT = TOKEN_ENDPOINT_CASES.filter((c) => c.code === 'ERR_TIMEOUT')

let idp: HostileProvider
let client: Client

function options(provider: HostileProvider) {
  return {
    clientId: provider.clientId,
    clientSecret: 'app-secret',
    redirectUri: provider.redirectUri,
    fetch: provider.fetch,
    timeout: GENEROUS_TIMEOUT,
  }
}

async function discover(provider: HostileProvider) {
  return Client.discover({ issuer: provider.issuer, ...options(provider) })
}

/**
 * The same client with a short timeout, for an endpoint that never answers: built from the
 * metadata already discovered, so the timeout covers only the calls made with it.
 */
function impatient(c: Client, provider: HostileProvider): Client {
  return Client.fromMetadata(c.issuer.metadata, { ...options(provider), timeout: SILENT_TIMEOUT })
}

/** Runs the code flow: authorization URL, the provider's redirect, the code exchange. */
async function codeFlow(c: Client = client, provider: HostileProvider = idp): Promise<TokenSet> {
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = c.authorizationUrl({ scope: 'openid', state, nonce, codeChallenge: pkce.challenge })
  const callback = provider.authorize(url.href)
  return c.authorizationCodeGrant(callback, { state, nonce, codeVerifier: pkce.verifier })
}

beforeEach(async () => {
  idp = await createHostileProvider()
  client = await discover(idp)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('core authorizationCodeGrant: ID tokens', () => {
  test('RP-1, RP-2: accepts a well-formed ID token signed by the issuer', async () => {
    const tokens = await codeFlow()
    expect(tokens.claims()).toMatchObject({ sub: 'alice', iss: idp.issuer, aud: idp.clientId })
  })

  test.each(jwtRows(ID_TOKEN_CASES))(
    '%s: rejects an ID token whose %s (%s)',
    async (_req, _why, _fault, { fault, code, claim }) => {
      idp.idTokenFault = fault
      expectTokenValidationError(await rejectionOf(codeFlow()), { code, claim })
    },
  )

  test.each(jwtRows(KEY_CASES))(
    '%s: rejects an ID token whose %s (%s)',
    async (_req, _why, _fault, { fault, code, claim }) => {
      idp.idTokenFault = fault
      expectTokenValidationError(await rejectionOf(codeFlow()), { code, claim })
    },
  )

  test('RP-3: rejects an unknown kid after exactly one JWKS refetch', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    await codeFlow()
    expect(idp.hits['/jwks']).toBe(1)
    // RP-3: a refetch only once the cached set is at least 60 s old.
    vi.setSystemTime(Date.now() + 61_000)
    idp.idTokenFault = 'unknown-kid'
    const err = await rejectionOf(codeFlow())
    expectTokenValidationError(err, { code: 'ERR_JWKS_NO_MATCHING_KEY', claim: 'kid' })
    expect(idp.hits['/jwks']).toBe(2)
  })

  test('RP-3: accepts a rotated signing key after one JWKS refetch', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    await codeFlow()
    await idp.rotate()
    vi.setSystemTime(Date.now() + 61_000)
    await expect(codeFlow()).resolves.toBeDefined()
    expect(idp.hits['/jwks']).toBe(2)
    await codeFlow()
    expect(idp.hits['/jwks']).toBe(2)
  })
})

describe('core authorizationCodeGrant: the authorization response', () => {
  test('C-1: rejects a state mismatch before the code is redeemed', async () => {
    idp.callbackFault = 'wrong-state'
    const err = await rejectionOf(codeFlow())
    expectTokenValidationError(err, { code: 'ERR_AUTHORIZATION_RESPONSE_INVALID', claim: 'state' })
    expect(idp.grants).toEqual([])
  })

  test('C-3, RP-8: rejects an authorization response whose iss is another server (RFC 9207)', async () => {
    idp.callbackFault = 'wrong-iss'
    const err = await rejectionOf(codeFlow())
    expectTokenValidationError(err, { code: 'ERR_AUTHORIZATION_RESPONSE_INVALID', claim: 'iss' })
    expect(idp.grants).toEqual([])
  })

  test('RP-8: rejects an authorization response without the advertised iss', async () => {
    idp.callbackFault = 'missing-iss'
    const err = await rejectionOf(codeFlow())
    expectTokenValidationError(err, { code: 'ERR_AUTHORIZATION_RESPONSE_INVALID', claim: 'iss' })
    expect(idp.grants).toEqual([])
  })
})

describe('core refresh', () => {
  // A refresh has no nonce to send; RP-5 still refuses one that differs from the original.
  const refreshCases = ID_TOKEN_CASES.filter((c) => c.fault !== 'missing-nonce')

  test('RP-5: accepts a refreshed ID token for the same authentication', async () => {
    const tokens = await codeFlow()
    const refreshed = await client.refresh(tokens)
    expect(refreshed.claims()?.sub).toBe('alice')
    expect(idp.grants).toEqual(['authorization_code', 'refresh_token'])
  })

  test.each(jwtRows(refreshCases))(
    '%s, RP-5: rejects a refreshed ID token whose %s (%s)',
    async (_req, _why, _fault, { fault, code, claim }) => {
      const tokens = await codeFlow()
      idp.idTokenFault = fault
      const err = await rejectionOf(client.refresh(tokens))
      expectTokenValidationError(err, { code, claim: fault === 'wrong-nonce' ? 'nonce' : claim })
    },
  )
})

describe('core userinfo', () => {
  test('RP-6: accepts userinfo for the ID token’s subject', async () => {
    const tokens = await codeFlow()
    await expect(client.userinfo(tokens)).resolves.toMatchObject({ sub: 'alice' })
  })

  test('RP-6: rejects userinfo whose sub differs from the ID token’s', async () => {
    const tokens = await codeFlow()
    idp.userinfoSub = 'mallory'
    const err = await rejectionOf(client.userinfo(tokens))
    expect(err).toBeInstanceOf(TokenValidationError)
    expect((err as TokenValidationError).code).toBe('ERR_USERINFO_SUBJECT_MISMATCH')
  })
})

// Each of these has its own provider and client, so the timeouts run concurrently.
async function fresh(): Promise<{ p: HostileProvider; c: Client }> {
  const p = await createHostileProvider()
  return { p, c: await discover(p) }
}

describe('core userinfo and JWKS endpoint answers', () => {
  test.concurrent.each(endpointRows(ANSWERED))(
    'RP-10: userinfo rejects %s from the userinfo endpoint with %s',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      const tokens = await codeFlow(c, p)
      p.userinfoFault = fault
      expectNetworkError(await rejectionOf(c.userinfo(tokens)), code)
    },
  )

  test.concurrent.each(endpointRows(SILENT))(
    'RP-10: userinfo gives up on %s from the userinfo endpoint with %s at its timeout',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      const tokens = await codeFlow(c, p)
      p.userinfoFault = fault
      expectNetworkError(await rejectionOf(impatient(c, p).userinfo(tokens)), code)
    },
  )

  test.concurrent.each(endpointRows(ANSWERED))(
    'RP-3, RP-10: authorizationCodeGrant rejects %s from the JWKS endpoint with %s',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      p.jwksFault = fault
      expectNetworkError(await rejectionOf(codeFlow(c, p)), code)
    },
  )

  test.concurrent.each(endpointRows(SILENT))(
    'RP-3, RP-10: authorizationCodeGrant gives up on %s from the JWKS endpoint with %s at its timeout',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      p.jwksFault = fault
      // The token answer comes under the same short timeout: either way, only a timeout ends it.
      expectNetworkError(await rejectionOf(codeFlow(impatient(c, p), p)), code)
    },
  )
})

describe('core token endpoint answers', () => {
  test('clientCredentials accepts a well-formed token response', async () => {
    await expect(client.clientCredentials({ scope: 'api:read' })).resolves.toMatchObject({
      tokenType: 'bearer',
    })
  })

  test.concurrent.each(endpointRows(ANSWERED))(
    'RP-10: clientCredentials rejects %s from the token endpoint with %s',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      p.tokenFault = fault
      expectNetworkError(await rejectionOf(c.clientCredentials()), code)
    },
  )

  test.concurrent.each(endpointRows(SILENT))(
    'RP-10: clientCredentials gives up on %s from the token endpoint with %s at its timeout',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      p.tokenFault = fault
      expectNetworkError(await rejectionOf(impatient(c, p).clientCredentials()), code)
    },
  )

  test.concurrent.each(endpointRows(ANSWERED))(
    'RP-10: authorizationCodeGrant rejects %s from the token endpoint with %s',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      p.tokenFault = fault
      expectNetworkError(await rejectionOf(codeFlow(c, p)), code)
    },
  )

  test.concurrent.each(endpointRows(SILENT))(
    'RP-10: authorizationCodeGrant gives up on %s from the token endpoint with %s at its timeout',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      p.tokenFault = fault
      expectNetworkError(await rejectionOf(codeFlow(impatient(c, p), p)), code)
    },
  )

  test.concurrent.each(endpointRows(ANSWERED))(
    'RP-10: refresh rejects %s from the token endpoint with %s',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      const tokens = await codeFlow(c, p)
      p.tokenFault = fault
      expectNetworkError(await rejectionOf(c.refresh(tokens)), code)
    },
  )

  test.concurrent.each(endpointRows(SILENT))(
    'RP-10: refresh gives up on %s from the token endpoint with %s at its timeout',
    async (_why, _code, { fault, code }) => {
      const { p, c } = await fresh()
      const tokens = await codeFlow(c, p)
      p.tokenFault = fault
      expectNetworkError(await rejectionOf(impatient(c, p).refresh(tokens)), code)
    },
  )
})

describe('core over loopback HTTP', () => {
  let server: HostileServer
  let remote: HostileProvider

  beforeEach(async () => {
    remote = await createHostileProvider()
    server = await remote.listen()
  })
  afterEach(() => server.close())

  // The global fetch, so every exchange crosses the socket.
  const discoverRemote = () =>
    Client.discover({ issuer: remote.issuer, ...options(remote), fetch: undefined })

  test('RP-1: accepts the good ID token over HTTP', async () => {
    const c = await discoverRemote()
    await expect(codeFlow(c, remote)).resolves.toBeDefined()
  })

  test('RP-2: rejects a badly signed ID token over HTTP', async () => {
    const c = await discoverRemote()
    remote.idTokenFault = 'bad-signature'
    expectTokenValidationError(await rejectionOf(codeFlow(c, remote)), {
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      claim: 'signature',
    })
  })

  test('RP-10: a token endpoint silent over HTTP fails with ERR_TIMEOUT at the timeout', async () => {
    const c = await discoverRemote()
    remote.tokenFault = 'silence'
    const silent = Client.fromMetadata(c.issuer.metadata, {
      ...options(remote),
      fetch: undefined,
      timeout: SILENT_TIMEOUT,
    })
    expectNetworkError(await rejectionOf(silent.clientCredentials()), 'ERR_TIMEOUT')
  })

  test('RP-10: a 5 MB token response over HTTP is cut off with ERR_RESPONSE_TOO_LARGE', async () => {
    const c = await discoverRemote()
    remote.tokenFault = 'huge-body'
    expectNetworkError(await rejectionOf(c.clientCredentials()), 'ERR_RESPONSE_TOO_LARGE')
  })
})
