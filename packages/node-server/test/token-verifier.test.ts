import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createTokenVerifier, TokenValidationError, toBearerError } from '@oidckit/node-server'
import type { VerifyFailure } from '@oidckit/node-server'
import { AUDIENCE, b64, createTestProvider, ISSUER } from './support/test-provider.js'

async function setup(options: Partial<Parameters<typeof createTokenVerifier>[0]> = {}) {
  const provider = await createTestProvider()
  const verifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    fetch: provider.fetch,
    ...options,
  })
  return { provider, verifier }
}

async function rejection(promise: Promise<unknown>): Promise<TokenValidationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TokenValidationError)
  return err as TokenValidationError
}

afterEach(() => {
  vi.useRealTimers()
})

describe('verify', () => {
  test('returns the claims and scopes of a valid RFC 9068 access token', async () => {
    const { provider, verifier } = await setup()
    const token = await provider.sign({ sub: 'user-42' })
    const result = await verifier.verify(token)
    expect(result.claims.sub).toBe('user-42')
    expect(result.claims.iss).toBe(ISSUER)
    expect(result.scopes).toEqual(['api:read', 'profile'])
    expect(result.token).toBe(token)
  })

  test('C-18: keeps the token out of the enumerable result so logging it never prints the token', async () => {
    const { provider, verifier } = await setup()
    const token = await provider.sign()
    const result = await verifier.verify(token)
    expect(JSON.stringify(result)).not.toContain(token)
    expect(Object.keys(result)).toEqual(['claims', 'scopes'])
  })

  test('reads scp lists as scopes', async () => {
    const { provider, verifier } = await setup()
    const token = await provider.sign({ scope: undefined, scp: ['a', 'b'] })
    expect((await verifier.verify(token)).scopes).toEqual(['a', 'b'])
  })

  test('rejects a token whose payload was changed after signing', async () => {
    const { provider, verifier } = await setup()
    const [header, , signature] = (await provider.sign()).split('.')
    const forged = `${header}.${b64(provider.claims({ sub: 'admin' }))}.${signature}`
    const err = await rejection(verifier.verify(forged))
    expect(err.code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
  })

  test('rejects a token signed by a key the issuer does not publish', async () => {
    const { provider, verifier } = await setup()
    const stranger = await provider.makeKey('key-1')
    const err = await rejection(verifier.verify(await provider.sign({}, {}, stranger)))
    expect(err.code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
  })

  test('RP-2: rejects alg none', async () => {
    const { provider, verifier } = await setup()
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(provider.claims())}.`
    const err = await rejection(verifier.verify(token))
    expect(err.code).toBe('ERR_JWT_INVALID')
    expect(err.claim).toBe('alg')
  })

  test('RP-2: rejects an HS256 token keyed with the issuer public key', async () => {
    const { provider, verifier } = await setup()
    await verifier.verify(await provider.sign())
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: 'key-1' })}.${b64(provider.claims())}`
    const secret = JSON.stringify(provider.key.jwk)
    const signature = createHmac('sha256', secret).update(input).digest('base64url')
    const err = await rejection(verifier.verify(`${input}.${signature}`))
    expect(err.claim).toBe('alg')
  })

  test('RP-2: refuses to be configured with none or an HMAC algorithm', () => {
    for (const alg of ['none', 'HS256']) {
      expect(() =>
        createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }),
      ).toThrow(TypeError)
    }
  })

  test('rejects an algorithm outside the configured allowlist', async () => {
    const { provider, verifier } = await setup({ algorithms: ['ES256'] })
    const err = await rejection(verifier.verify(await provider.sign()))
    expect(err.claim).toBe('alg')
  })

  test('verifies ES256 tokens', async () => {
    const { provider, verifier } = await setup()
    const key = await provider.rotate('ec-1', 'ES256')
    expect((await verifier.verify(await provider.sign({}, {}, key))).claims.sub).toBe('user-1')
  })

  test('RP-14: rejects a token without typ at+jwt', async () => {
    const { provider, verifier } = await setup()
    const err = await rejection(verifier.verify(await provider.sign({}, { typ: 'JWT' })))
    expect(err.claim).toBe('typ')
  })

  test('RP-14: accepts typ application/at+jwt in any case', async () => {
    const { provider, verifier } = await setup()
    const token = await provider.sign({}, { typ: 'Application/AT+JWT' })
    await expect(verifier.verify(token)).resolves.toBeDefined()
  })

  test('RP-14: with requireAtJwt false, still rejects an ID token carrying a nonce', async () => {
    const { provider, verifier } = await setup({ requireAtJwt: false })
    await expect(verifier.verify(await provider.sign({}, { typ: 'JWT' }))).resolves.toBeDefined()
    const idToken = await provider.sign({ nonce: 'n-1' }, { typ: 'JWT' })
    const err = await rejection(verifier.verify(idToken))
    expect(err.claim).toBe('typ')
  })

  test('rejects a token with a crit header', async () => {
    const { provider, verifier } = await setup()
    const header = { alg: 'RS256', kid: 'key-1', typ: 'at+jwt', crit: ['urn:x'], 'urn:x': 1 }
    const token = provider.signRaw(header, provider.claims())
    const err = await rejection(verifier.verify(token))
    expect(err.claim).toBe('crit')
  })

  test('RP-14: rejects a token from another issuer', async () => {
    const { provider, verifier } = await setup()
    const err = await rejection(verifier.verify(await provider.sign({ iss: 'https://evil.test' })))
    expect(err.claim).toBe('iss')
  })

  test('C-18: rejects a token issued for another audience', async () => {
    const { provider, verifier } = await setup()
    const err = await rejection(verifier.verify(await provider.sign({ aud: 'https://other.test' })))
    expect(err.claim).toBe('aud')
    expect(err.reason).toBe('mismatch')
  })

  test('accepts a token whose aud list contains this audience', async () => {
    const { provider, verifier } = await setup()
    const token = await provider.sign({ aud: ['https://other.test', AUDIENCE] })
    await expect(verifier.verify(token)).resolves.toBeDefined()
  })

  test('rejects an expired token', async () => {
    const { provider, verifier } = await setup()
    const now = Math.floor(Date.now() / 1000)
    const err = await rejection(
      verifier.verify(await provider.sign({ exp: now - 60, iat: now - 120 })),
    )
    expect(err.code).toBe('ERR_JWT_EXPIRED')
  })

  test('accepts a token expired within clockTolerance and rejects it past the tolerance', async () => {
    const { provider } = await setup()
    const now = Math.floor(Date.now() / 1000)
    const token = await provider.sign({ exp: now - 20, iat: now - 100 })
    const lenient = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: provider.fetch,
      clockTolerance: 60,
    })
    const strict = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: provider.fetch,
      clockTolerance: 5,
    })
    await expect(lenient.verify(token)).resolves.toBeDefined()
    expect((await rejection(strict.verify(token))).code).toBe('ERR_JWT_EXPIRED')
  })

  test('rejects a token that is not valid yet', async () => {
    const { provider, verifier } = await setup()
    const now = Math.floor(Date.now() / 1000)
    const err = await rejection(verifier.verify(await provider.sign({ nbf: now + 600 })))
    expect(err.reason).toBe('not_yet_valid')
  })

  test('follows an injected clock', async () => {
    const { provider } = await setup()
    const token = await provider.sign()
    const later = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: provider.fetch,
      clock: () => Date.now() + 3_600_000,
    })
    expect((await rejection(later.verify(token))).code).toBe('ERR_JWT_EXPIRED')
  })

  test('rejects a token without exp or sub', async () => {
    const { provider, verifier } = await setup()
    expect((await rejection(verifier.verify(await provider.sign({ exp: undefined })))).claim).toBe(
      'exp',
    )
    expect((await rejection(verifier.verify(await provider.sign({ sub: undefined })))).claim).toBe(
      'sub',
    )
  })

  test('rejects a token whose claims have the wrong types', async () => {
    const { provider, verifier } = await setup()
    const err = await rejection(verifier.verify(await provider.sign({ exp: 'tomorrow' as never })))
    expect(err.claim).toBe('exp')
  })

  test.each([
    ['an empty string', ''],
    ['garbage', 'not-a-token'],
    ['three garbage segments', 'a.b.c'],
    ['a header that is JSON but not an object', `${b64([1])}.${b64({})}.sig`],
    ['four segments', 'a.b.c.d'],
  ])('rejects %s with ERR_JWT_INVALID', async (_, token) => {
    const { verifier } = await setup()
    const err = await rejection(verifier.verify(token))
    expect(err.code).toBe('ERR_JWT_INVALID')
  })

  test('rejects a non-string token with a typed error', async () => {
    const { verifier } = await setup()
    await rejection(verifier.verify(42 as never))
  })

  test('rejects a token lacking a required scope with an insufficient_scope answer', async () => {
    const { provider, verifier } = await setup({ requiredScopes: 'api:read api:write' })
    const err = await rejection(verifier.verify(await provider.sign()))
    expect(err.claim).toBe('scope')
    const answer = toBearerError(err)
    expect(answer.status).toBe(403)
    expect(answer.headers['www-authenticate']).toContain('error="insufficient_scope"')
    expect(answer.headers['www-authenticate']).toContain('scope="api:read api:write"')
  })

  test('accepts a token with more scopes than required', async () => {
    const { provider, verifier } = await setup({ requiredScopes: ['api:read'] })
    await expect(
      verifier.verify(await provider.sign({ scope: 'api:read api:write x' })),
    ).resolves.toBeDefined()
  })

  test('hands the failure reason to onFailure without the token', async () => {
    const failures: VerifyFailure[] = []
    const { provider, verifier } = await setup({ onFailure: (f) => failures.push(f) })
    const token = await provider.sign({ aud: 'https://other.test' })
    await rejection(verifier.verify(token))
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' })
    expect(JSON.stringify({ ...failures[0], error: String(failures[0]!.error) })).not.toContain(
      token,
    )
  })

  test('keeps answering 401 when onFailure throws', async () => {
    const { provider, verifier } = await setup({
      onFailure: () => {
        throw new Error('logger down')
      },
    })
    await rejection(verifier.verify(await provider.sign({ aud: 'x' })))
    expect(provider.jwksRequests).toBe(1)
  })
})

describe('RP-3: JWKS cache', () => {
  test('fetches the JWKS once for many tokens', async () => {
    const { provider, verifier } = await setup()
    for (let i = 0; i < 5; i++) await verifier.verify(await provider.sign())
    expect(provider.jwksRequests).toBe(1)
  })

  test('follows a key rotation at the provider with one refetch and no failed request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { provider, verifier } = await setup()
    await verifier.verify(await provider.sign())
    vi.setSystemTime(Date.now() + 61_000)
    const next = await provider.addKey('key-2')
    await expect(verifier.verify(await provider.sign({}, {}, next))).resolves.toBeDefined()
    expect(provider.jwksRequests).toBe(2)
  })

  test('does not refetch for an unknown kid within the cooldown, however many arrive', async () => {
    const { provider, verifier } = await setup()
    await verifier.verify(await provider.sign())
    const stranger = await provider.makeKey('unknown')
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => provider.sign({}, {}, stranger)),
    )
    const results = await Promise.allSettled(tokens.map((t) => verifier.verify(t)))
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(provider.jwksRequests).toBe(1)
    const err = (results[0] as PromiseRejectedResult).reason as TokenValidationError
    expect(err.code).toBe('ERR_JWKS_NO_MATCHING_KEY')
  })

  test('refetches the JWKS once for a burst of unknown kids after the cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { provider, verifier } = await setup()
    await verifier.verify(await provider.sign())
    vi.setSystemTime(Date.now() + 61_000)
    const stranger = await provider.makeKey('unknown')
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => provider.sign({}, {}, stranger)),
    )
    await Promise.allSettled(tokens.map((t) => verifier.verify(t)))
    expect(provider.jwksRequests).toBe(2)
  })

  test('answers 503 without details when the JWKS cannot be fetched', async () => {
    const { provider } = await setup()
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: async (request) =>
        new URL(request.url).pathname === '/jwks'
          ? new Response('<html>down</html>', { status: 502 })
          : provider.fetch(request),
    })
    const err = await verifier.verify(await provider.sign()).catch((e: unknown) => e)
    const answer = toBearerError(err)
    expect(answer.status).toBe(503)
    expect(JSON.stringify(answer.body)).not.toMatch(/at |stack/)
  })

  test('retries discovery after a failed attempt, once its 1 s backoff has passed', async () => {
    const { provider } = await setup()
    let down = true
    let now = Date.now()
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: () => now,
      fetch: async (request) => (down ? Response.error() : provider.fetch(request)),
    })
    const token = await provider.sign()
    await expect(verifier.verify(token)).rejects.toMatchObject({ name: 'NetworkError' })
    down = false
    now += 1000
    await expect(verifier.verify(token)).resolves.toBeDefined()
  })
})

describe('verified-token cache', () => {
  test('serves a repeated token from the cache until it expires', async () => {
    let now = Date.now()
    const { provider, verifier } = await setup({ cache: true, clock: () => now })
    const token = await provider.sign({ exp: Math.floor(now / 1000) + 60 })
    const first = await verifier.verify(token)
    expect(await verifier.verify(token)).toBe(first)
    now += 120_000
    expect((await rejection(verifier.verify(token))).code).toBe('ERR_JWT_EXPIRED')
  })

  test('drops cached tokens when their key leaves the JWKS', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { provider, verifier } = await setup({ cache: { max: 10 } })
    const old = await provider.sign()
    await verifier.verify(old)
    const next = await provider.rotate('key-2')
    vi.setSystemTime(Date.now() + 61_000)
    await verifier.verify(await provider.sign({}, {}, next))
    expect((await rejection(verifier.verify(old))).code).toBe('ERR_JWKS_NO_MATCHING_KEY')
  })
})

describe('verifyRequest', () => {
  const request = (authorization?: string) =>
    new Request('http://api.test/x', authorization ? { headers: { authorization } } : {})

  test('reads a bearer token with the scheme in any case', async () => {
    const { provider, verifier } = await setup()
    const token = await provider.sign()
    await expect(verifier.verifyRequest(request(`bearer ${token}`))).resolves.toBeDefined()
    await expect(verifier.verifyRequest(request(`BEARER ${token}`))).resolves.toBeDefined()
  })

  test('RP-15: answers a request without a token with 401 and a bare Bearer challenge', async () => {
    const { verifier } = await setup()
    const answer = toBearerError(await verifier.verifyRequest(request()).catch((e: unknown) => e))
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toBe('Bearer')
  })

  test.each([
    ['Bearer with no token', 'Bearer'],
    ['Bearer with two tokens', 'Bearer abc def'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a token with forbidden characters', 'Bearer abc"def'],
    ['two comma-joined credentials', 'Bearer a.b.c, Bearer d.e.f'],
  ])(
    'RP-15: answers a malformed Authorization header (%s) with 400 invalid_request',
    async (_, value) => {
      const { verifier } = await setup()
      const err = await verifier.verifyRequest(request(value)).catch((e: unknown) => e)
      const answer = toBearerError(err)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_request')
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/)
    },
  )

  test('RP-15: answers an invalid token with 401 invalid_token', async () => {
    const { verifier } = await setup()
    const answer = toBearerError(
      await verifier.verifyRequest(request('Bearer a.b.c')).catch((e: unknown) => e),
    )
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/)
  })
})
