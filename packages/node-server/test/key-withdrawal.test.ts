import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import { createTokenVerifier, TokenValidationError } from '@oidckit/node-server'

// Real time stands still (only Date is faked): mock-idp's clock and the verifier's start equal
// and move only when the test moves them, however slowly a busy machine runs the test.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

// The verified-token cache lasts no longer than the key set a token was checked against: once
// the issuer withdraws a key, the next refetch (at the latest when the set is 300 s old) ends
// every cached token it signed.

const AUDIENCE = 'http://localhost:4000'
const JWKS = '/.well-known/jwks'

async function setup() {
  // The old key leaves mock-idp's JWKS 60 s after a rotation.
  const idp = createMockIdp({ keyRotationGrace: 60 })
  let jwksRequests = 0
  const clock = { now: Date.now() }
  const verifier = createTokenVerifier({
    issuer: idp.issuer,
    audience: AUDIENCE,
    cache: true,
    clock: () => clock.now,
    fetch: (request) => {
      if (new URL(request.url).pathname === JWKS) jwksRequests += 1
      return idp.fetch(request)
    },
  })
  const later = (seconds: number) => {
    idp.clock.advance(seconds)
    clock.now += seconds * 1000
  }
  return { idp, verifier, later, jwksRequests: () => jwksRequests }
}

async function kids(idp: ReturnType<typeof createMockIdp>): Promise<(string | undefined)[]> {
  return (await idp.jwks()).keys.map((key) => key.kid)
}

test('RP-3: refuses a cached token once its key has left the JWKS and the set is 300 s old', async () => {
  const { idp, verifier, later, jwksRequests } = await setup()
  const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  const first = await verifier.verify(access_token)
  expect(await verifier.verify(access_token)).toBe(first)
  const [oldKid] = await kids(idp)

  await idp.rotateKeys()
  later(61)
  expect(await kids(idp)).not.toContain(oldKid)
  // No other traffic: only the age of the key set can make the verifier look again.
  later(238)
  expect(await verifier.verify(access_token)).toBe(first)
  expect(jwksRequests()).toBe(1)

  later(1)
  const err = await verifier.verify(access_token).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TokenValidationError)
  expect((err as TokenValidationError).code).toBe('ERR_JWKS_NO_MATCHING_KEY')
  expect(jwksRequests()).toBe(2)
})

test('RP-3: keeps a cached token whose key is still published across the 300 s refetch', async () => {
  const { idp, verifier, later, jwksRequests } = await setup()
  const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await verifier.verify(access_token)
  later(300)
  await expect(verifier.verify(access_token)).resolves.toMatchObject({
    claims: { sub: expect.any(String) as unknown },
  })
  expect(jwksRequests()).toBe(2)
  await verifier.verify(access_token)
  expect(jwksRequests()).toBe(2)
})

test('RP-3: refuses a cached token at once when a refetch for another kid shows its key withdrawn', async () => {
  const { idp, verifier, later, jwksRequests } = await setup()
  const { access_token: old } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await verifier.verify(old)
  await idp.rotateKeys()
  later(61)
  const { access_token: fresh } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await verifier.verify(fresh)
  expect(jwksRequests()).toBe(2)
  await expect(verifier.verify(old)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' })
})
