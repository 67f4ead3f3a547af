import { beforeEach, describe, expect, test, vi } from 'vitest'
import { Client, TokenValidationError } from '@oidckit/core'
import fc from 'fast-check'
import { createHostileProvider } from './hostile-provider.js'
import { nonCanonicalVariants } from './jws-variants'
import type { HostileProvider } from './hostile-provider.js'

let idp: HostileProvider
let client: Client

const checks = { state: 'the-state', nonce: 'the-nonce', codeVerifier: 'v'.repeat(43) }

beforeEach(async () => {
  idp = await createHostileProvider({ issuer: `https://hostile-${crypto.randomUUID()}.test` })
  idp.claims.nonce = 'the-nonce'
  client = await Client.discover({
    issuer: idp.issuer,
    clientId: idp.clientId,
    redirectUri: idp.redirectUri,
    fetch: idp.fetch,
  })
})

function withIdToken(make: () => Promise<string> | string) {
  idp.tokenResponse = async () =>
    Response.json({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 60,
      id_token: await make(),
    })
}

async function rejection(): Promise<TokenValidationError> {
  const err = await client.authorizationCodeGrant(idp.callback(), checks).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TokenValidationError)
  return err as TokenValidationError
}

test('accepts a correctly signed ID token and exposes its claims', async () => {
  const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
  expect(tokens.claims()).toMatchObject({ sub: 'alice', iss: idp.issuer, nonce: 'the-nonce' })
  expect(idp.tokenRequests[0]?.get('code_verifier')).toBe(checks.codeVerifier)
  expect(idp.tokenRequests[0]?.get('redirect_uri')).toBe(idp.redirectUri)
})

describe('signature', () => {
  test('RP-2: rejects an ID token signed by a key that is not the issuer’s', async () => {
    withIdToken(() => idp.signWithForeignKey({ nonce: 'the-nonce' }))
    const err = await rejection()
    expect(err.code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
    expect(err.claim).toBe('signature')
  })

  test('RP-2: rejects an alg none ID token', async () => {
    withIdToken(() => idp.unsigned({ nonce: 'the-nonce' }))
    const err = await rejection()
    expect(err.code).toBe('ERR_JWT_INVALID')
    expect(err.claim).toBe('alg')
  })

  test('RP-2: rejects an HS256 ID token keyed with the RSA public key', async () => {
    withIdToken(() => idp.signHmacWithPublicKey({ nonce: 'the-nonce' }))
    const err = await rejection()
    expect(err.code).toBe('ERR_JWT_INVALID')
    expect(err.claim).toBe('alg')
  })

  test('RP-2: checks the signature even when the provider advertises no algorithms', async () => {
    delete idp.metadata.id_token_signing_alg_values_supported
    client = await Client.discover({
      issuer: idp.issuer,
      clientId: idp.clientId,
      redirectUri: idp.redirectUri,
      fetch: idp.fetch,
      forceRefresh: true,
    })
    withIdToken(() => idp.signWithForeignKey({ nonce: 'the-nonce' }))
    expect((await rejection()).code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
  })
})

describe('claims', () => {
  test('RP-1: rejects an ID token from another issuer', async () => {
    idp.claims.iss = 'https://evil.test'
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'iss',
      'mismatch',
    ])
  })

  test('RP-1: rejects an ID token for another audience', async () => {
    idp.claims.aud = 'someone-else'
    const err = await rejection()
    expect([err.code, err.claim]).toEqual(['ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud'])
  })

  test('RP-1: rejects several audiences without an azp', async () => {
    idp.claims.aud = [idp.clientId, 'someone-else']
    const err = await rejection()
    expect([err.code, err.claim]).toEqual(['ERR_JWT_CLAIM_VALIDATION_FAILED', 'azp'])
  })

  test('RP-1: rejects several audiences whose azp names another client', async () => {
    idp.claims.aud = [idp.clientId, 'someone-else']
    idp.claims.azp = 'someone-else'
    const err = await rejection()
    expect([err.code, err.claim]).toEqual(['ERR_JWT_CLAIM_VALIDATION_FAILED', 'azp'])
  })

  test('RP-1: accepts several audiences when azp is this client', async () => {
    idp.claims.aud = [idp.clientId, 'someone-else']
    idp.claims.azp = idp.clientId
    await expect(client.authorizationCodeGrant(idp.callback(), checks)).resolves.toBeDefined()
  })

  test('RP-1: rejects an expired ID token', async () => {
    idp.claims.exp = idp.now() - 60
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual(['ERR_JWT_EXPIRED', 'exp', 'expired'])
  })

  test('RP-1: accepts an ID token expired by less than the clock tolerance', async () => {
    idp.claims.exp = idp.now() - 10
    await expect(client.authorizationCodeGrant(idp.callback(), checks)).resolves.toBeDefined()
  })

  test('RP-1: rejects an ID token issued in the future', async () => {
    idp.claims.iat = idp.now() + 120
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'iat',
      'not_yet_valid',
    ])
  })

  test('RP-1: rejects an ID token that is not valid yet (nbf)', async () => {
    idp.claims.nbf = idp.now() + 120
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'nbf',
      'not_yet_valid',
    ])
  })

  test('RP-1: applies the clockTolerance option', async () => {
    idp.claims.nbf = idp.now() + 45
    await expect(rejection()).resolves.toMatchObject({ claim: 'nbf' })
    client = await Client.discover({
      issuer: idp.issuer,
      clientId: idp.clientId,
      redirectUri: idp.redirectUri,
      fetch: idp.fetch,
      clockTolerance: 60,
    })
    await expect(client.authorizationCodeGrant(idp.callback(), checks)).resolves.toBeDefined()
  })

  test('RP-1: checks token times against the injected clock', async () => {
    const clock = () => Date.now() + 3600_000
    client = await Client.discover({
      issuer: idp.issuer,
      clientId: idp.clientId,
      redirectUri: idp.redirectUri,
      fetch: idp.fetch,
      clock,
    })
    const err = await rejection()
    expect(err.code).toBe('ERR_JWT_EXPIRED')
  })

  test('C-16: rejects an ID token without the nonce that was sent', async () => {
    idp.claims.nonce = undefined
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'nonce',
      'missing',
    ])
  })

  test('C-16: rejects an ID token with another nonce', async () => {
    idp.claims.nonce = 'replayed-nonce'
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'nonce',
      'mismatch',
    ])
  })

  test('RP-1: rejects an ID token without sub', async () => {
    idp.claims.sub = undefined
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'sub',
      'missing',
    ])
  })

  test('RP-1: rejects an ID token without a max_age auth_time when max_age was sent', async () => {
    const err = await client
      .authorizationCodeGrant(idp.callback(), { ...checks, maxAge: 300 })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'auth_time' })
  })

  test('RP-4: rejects an ID token whose at_hash does not match the access token', async () => {
    idp.claims.at_hash = 'AAAAAAAAAAAAAAAAAAAAAA'
    const err = await rejection()
    expect([err.code, err.claim, err.reason]).toEqual([
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'at_hash',
      'mismatch',
    ])
  })

  test('RP-4: accepts a matching at_hash', async () => {
    const accessToken = 'the-access-token'
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)),
    )
    const atHash = btoa(String.fromCharCode(...digest.slice(0, 16)))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
    idp.tokenResponse = async () =>
      Response.json({
        access_token: accessToken,
        token_type: 'Bearer',
        id_token: await idp.signIdToken({ at_hash: atHash }),
      })
    const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
    expect(tokens.claims()?.at_hash).toBe(atHash)
  })
})

describe('JWKS', () => {
  test('RP-3: rejects an unknown kid after exactly one JWKS refetch', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      await client.authorizationCodeGrant(idp.callback(), checks)
      expect(idp.hits['/jwks']).toBe(1)
      vi.setSystemTime(Date.now() + 61_000)
      idp.header.kid = 'unknown-kid'
      const err = await rejection()
      expect([err.code, err.claim]).toEqual(['ERR_JWKS_NO_MATCHING_KEY', 'kid'])
      expect(idp.hits['/jwks']).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })

  test('RP-3: does not refetch the JWKS for an unknown kid within the 60 s cooldown', async () => {
    await client.authorizationCodeGrant(idp.callback(), checks)
    idp.header.kid = 'unknown-kid'
    await rejection()
    await rejection()
    expect(idp.hits['/jwks']).toBe(1)
  })

  test('RP-3: accepts a rotated key after one JWKS refetch', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      await client.authorizationCodeGrant(idp.callback(), checks)
      await idp.rotate()
      vi.setSystemTime(Date.now() + 61_000)
      const tokens = await client.authorizationCodeGrant(idp.callback(), checks)
      expect(tokens.claims()?.sub).toBe('alice')
      expect(idp.hits['/jwks']).toBe(2)
      await client.authorizationCodeGrant(idp.callback(), checks)
      expect(idp.hits['/jwks']).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('encoding', () => {
  test('RP-2: refuses an ID token whose base64url is not canonical (padding, +/, stray bits)', async () => {
    const token = await idp.signIdToken({ nonce: 'the-nonce' })
    await fc.assert(
      fc.asyncProperty(nonCanonicalVariants(token), async (variant) => {
        withIdToken(() => variant)
        const err = await rejection()
        expect(err.code).toBe('ERR_JWT_INVALID')
      }),
      { numRuns: 40 },
    )
    withIdToken(() => token)
    await expect(client.authorizationCodeGrant(idp.callback(), checks)).resolves.toBeDefined()
  })
})
