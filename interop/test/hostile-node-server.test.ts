import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createTokenVerifier, toBearerError } from '@oidckit/node-server'
import type { TokenVerifierOptions } from '@oidckit/node-server'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider } from '../src/hostile-provider.js'
import {
  TOKEN_ENDPOINT_CASES,
  endpointRows,
  expectNetworkError,
  expectTokenValidationError,
  jwtRows,
  rejectionOf,
} from '../src/hostile-cases.js'
import type { IdTokenCase } from '../src/hostile-cases.js'

// @oidckit/node-server's createTokenVerifier against access tokens from one hostile provider.

let idp: HostileProvider

function verifier(options: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({
    issuer: idp.issuer,
    audience: idp.audience,
    fetch: idp.fetch,
    ...options,
  })
}

beforeEach(async () => {
  idp = await createHostileProvider()
})

afterEach(() => {
  vi.useRealTimers()
})

const ACCESS_TOKEN_CASES: readonly IdTokenCase[] = [
  {
    fault: 'bad-signature',
    req: 'RP-2',
    why: 'signature is not by a key of the issuer',
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    claim: 'signature',
  },
  { fault: 'alg-none', req: 'RP-2', why: 'alg is none', code: 'ERR_JWT_INVALID', claim: 'alg' },
  {
    fault: 'hs256-public-key',
    req: 'RP-2',
    why: 'HS256 MAC is keyed with the RSA public key',
    code: 'ERR_JWT_INVALID',
    claim: 'alg',
  },
  {
    fault: 'wrong-iss',
    req: 'RP-14',
    why: 'iss is another issuer',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'iss',
  },
  {
    fault: 'wrong-aud',
    req: 'C-18',
    why: 'aud is another resource server',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'aud',
  },
  { fault: 'expired', req: 'RP-14', why: 'exp has passed', code: 'ERR_JWT_EXPIRED', claim: 'exp' },
  {
    fault: 'not-yet-valid',
    req: 'RP-14',
    why: 'nbf is in the future',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'nbf',
  },
  {
    fault: 'future-iat',
    req: 'RP-14',
    why: 'iat is in the future',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'iat',
  },
  {
    fault: 'missing-sub',
    req: 'RP-14',
    why: 'sub is missing',
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'sub',
  },
  {
    fault: 'embedded-jwk',
    req: 'RP-3',
    why: 'key comes in its own jwk header',
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    claim: 'signature',
  },
  {
    fault: 'jku-header',
    req: 'RP-3',
    why: 'jku header points at another JWKS',
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    claim: 'signature',
  },
  {
    fault: 'weak-rsa-key',
    req: 'RP-3',
    why: 'RSA key is shorter than 2048 bits',
    code: 'ERR_JWT_INVALID',
    claim: 'kid',
  },
  {
    fault: 'wrong-typ',
    req: 'RP-14',
    why: 'typ is JWT although at+jwt is required',
    code: 'ERR_JWT_INVALID',
    claim: 'typ',
  },
]

test('RP-14: accepts a well-formed RFC 9068 access token signed by the issuer', async () => {
  const { claims, scopes } = await verifier().verify(await idp.accessToken())
  expect(claims).toMatchObject({ sub: 'alice', iss: idp.issuer, aud: idp.audience })
  expect(scopes).toEqual(['api:read'])
})

test.each(jwtRows(ACCESS_TOKEN_CASES))(
  '%s: verify() rejects an access token whose %s (%s)',
  async (_req, _why, _fault, { fault, code, claim }) => {
    const v = verifier()
    expectTokenValidationError(await rejectionOf(v.verify(await idp.accessToken(fault))), {
      code,
      claim,
    })
  },
)

test('RP-14: verifyRequest() answers a bad bearer token with the same typed error', async () => {
  const request = new Request('http://api.test/', {
    headers: { authorization: `Bearer ${await idp.accessToken('alg-none')}` },
  })
  expectTokenValidationError(await rejectionOf(verifier().verifyRequest(request)), {
    code: 'ERR_JWT_INVALID',
    claim: 'alg',
  })
})

test('RP-14: an ID token (typ JWT) is not accepted as an access token', async () => {
  const idToken = await idp.idToken(undefined, { aud: idp.audience, nonce: 'n' })
  expectTokenValidationError(await rejectionOf(verifier().verify(idToken)), {
    code: 'ERR_JWT_INVALID',
    claim: 'typ',
  })
})

test('RP-3: rejects an unknown kid after exactly one JWKS refetch', async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  const v = verifier()
  await v.verify(await idp.accessToken())
  expect(idp.hits['/jwks']).toBe(1)
  vi.setSystemTime(Date.now() + 61_000)
  const err = await rejectionOf(v.verify(await idp.accessToken('unknown-kid')))
  expectTokenValidationError(err, { code: 'ERR_JWKS_NO_MATCHING_KEY', claim: 'kid' })
  expect(idp.hits['/jwks']).toBe(2)
  // Within the cooldown, more unknown kids cost no further fetch.
  await rejectionOf(v.verify(await idp.accessToken('unknown-kid')))
  expect(idp.hits['/jwks']).toBe(2)
})

test('RP-3: accepts a token signed by a rotated key after one JWKS refetch', async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  const v = verifier()
  await v.verify(await idp.accessToken())
  await idp.rotate()
  vi.setSystemTime(Date.now() + 61_000)
  await expect(v.verify(await idp.accessToken())).resolves.toMatchObject({
    claims: { sub: 'alice' },
  })
  expect(idp.hits['/jwks']).toBe(2)
  await v.verify(await idp.accessToken())
  expect(idp.hits['/jwks']).toBe(2)
})

test('RP-2: verifies over loopback HTTP, accepting the good token and refusing alg none', async () => {
  const server = await idp.listen()
  try {
    const v = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience })
    await expect(v.verify(await idp.accessToken())).resolves.toBeDefined()
    expectTokenValidationError(await rejectionOf(v.verify(await idp.accessToken('alg-none'))), {
      code: 'ERR_JWT_INVALID',
      claim: 'alg',
    })
  } finally {
    await server.close()
  }
})

describe('a hostile JWKS endpoint', () => {
  // RP-10 via RFC 8725 §3.10 [r]: a JWKS that cannot be read fails the request as a NetworkError
  // (node-server answers 503), with the code saying what went wrong.
  test.concurrent.each(endpointRows(TOKEN_ENDPOINT_CASES))(
    'RP-3, RP-10: verify() fails typed when the JWKS answers %s, with %s (a silent one at the 5 s JWKS timeout)',
    async (_why, _code, { fault, code }) => {
      const provider = await createHostileProvider()
      provider.jwksFault = fault
      const v = createTokenVerifier({
        issuer: provider.issuer,
        audience: provider.audience,
        fetch: provider.fetch,
      })
      const err = await rejectionOf(v.verify(await provider.accessToken()))
      expectNetworkError(err, code)
      expect(toBearerError(err).status).toBe(503)
    },
  )
})

describe('a hostile introspection endpoint (opaque tokens)', () => {
  const introspecting = () =>
    verifier({ introspection: { clientId: 'resource-server', clientSecret: 'rs-secret' } })

  test('RP-22: accepts an opaque token the issuer reports active for this audience', async () => {
    await expect(introspecting().verify('opaque-token')).resolves.toMatchObject({
      claims: { sub: 'alice' },
      scopes: ['api:read'],
    })
  })

  test.each<[string, Record<string, unknown>, string, string]>([
    ['active is false', { active: false }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'active'],
    [
      'iss is another issuer',
      { iss: 'https://evil.test' },
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'iss',
    ],
    [
      'aud is another resource server',
      { aud: 'https://other.test' },
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'aud',
    ],
    ['aud is missing', { aud: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud'],
    ['exp has passed', { exp: Math.floor(Date.now() / 1000) - 600 }, 'ERR_JWT_EXPIRED', 'exp'],
    [
      'it is a refresh token',
      { token_type: 'refresh_token' },
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'token_type',
    ],
  ])(
    'RP-22: rejects an opaque token when the introspection answer says %s',
    async (_why, answer, code, claim) => {
      idp.introspection = answer
      expectTokenValidationError(await rejectionOf(introspecting().verify('opaque-token')), {
        code,
        claim,
      })
    },
  )

  test.each<[string, Record<string, unknown>]>([
    ['active is the string "true"', { active: 'true' }],
    ['active is missing', { active: undefined }],
  ])(
    'RP-10, RP-22: an introspection answer where %s is a nonconforming response (ERR_RESPONSE_INVALID)',
    async (_why, answer) => {
      idp.introspection = answer
      expectNetworkError(
        await rejectionOf(introspecting().verify('opaque-token')),
        'ERR_RESPONSE_INVALID',
      )
    },
  )

  test.each(endpointRows(TOKEN_ENDPOINT_CASES.filter((c) => c.code !== 'ERR_TIMEOUT')))(
    'RP-10, RP-22: an introspection endpoint answering %s fails typed with %s',
    async (_why, _code, { fault, code }) => {
      idp.introspectionFault = fault
      expectNetworkError(await rejectionOf(introspecting().verify('opaque-token')), code)
    },
  )
})
