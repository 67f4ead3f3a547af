import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import { createTokenVerifier, NetworkError, toBearerError } from '@oidckit/node-server'

// Real time stands still (only Date is faked): mock-idp's clock and the verifier's start equal
// and move only when the test moves them, however slowly a busy machine runs the test.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

// A discovery document or JWKS that keeps failing: the verifier backs off (1 s doubling to
// 60 s, on its clock) instead of asking the issuer again for every token.

const AUDIENCE = 'http://localhost:4000'
const DISCOVERY = '/.well-known/openid-configuration'
const JWKS = '/.well-known/jwks'

/** mock-idp in-process, behind a fetch that counts the requests per path. */
function countingIdp(config: Parameters<typeof createMockIdp>[0] = {}) {
  const idp = createMockIdp(config)
  const hits: Record<string, number> = {}
  const fetch = (request: Request) => {
    const path = new URL(request.url).pathname
    hits[path] = (hits[path] ?? 0) + 1
    return idp.fetch(request)
  }
  return { idp, hits, fetch }
}

function verifierFor(idp: MockIdp, fetch: (request: Request) => Promise<Response>) {
  const clock = { now: Date.now() }
  const verifier = createTokenVerifier({
    issuer: idp.issuer,
    audience: AUDIENCE,
    fetch,
    clock: () => clock.now,
  })
  return { verifier, clock }
}

async function failure(promise: Promise<unknown>): Promise<NetworkError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(NetworkError)
  return err as NetworkError
}

describe.each([
  ['JWKS', 'jwks', JWKS],
  ['discovery document', 'discovery', DISCOVERY],
] as const)('a %s that keeps failing', (_what, endpoint, path) => {
  test(`RP-3, RP-10: 200 tokens over 100 s cost 7 ${endpoint} fetches, not 200, each refused with 503`, async () => {
    const { idp, hits, fetch } = countingIdp()
    const { verifier, clock } = verifierFor(idp, fetch)
    const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    idp.injectFault({ endpoint, kind: 'server_error', times: 1000 })
    for (let i = 0; i < 200; i++) {
      const err = await failure(verifier.verify(access_token))
      expect(err.code).toBe('ERR_SERVER_ERROR')
      expect(toBearerError(err).status).toBe(503)
      clock.now += 500
    }
    // Fetches at 0, 1, 3, 7, 15, 31 and 63 s; the next would be at 123 s.
    expect(hits[path]).toBe(7)
  })

  test(`RP-3, RP-10: a burst of 50 concurrent tokens during the outage costs one ${endpoint} fetch`, async () => {
    const { idp, hits, fetch } = countingIdp()
    const { verifier } = verifierFor(idp, fetch)
    const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    idp.injectFault({ endpoint, kind: 'server_error', times: 1000 })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => verifier.verify(access_token)),
    )
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(hits[path]).toBe(1)
  })

  test(`RP-3: fails fast with the outage's own error during the backoff, and recovers after it`, async () => {
    const { idp, hits, fetch } = countingIdp()
    const { verifier, clock } = verifierFor(idp, fetch)
    const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    idp.injectFault({ endpoint, kind: 'server_error', times: 2 })
    const first = await failure(verifier.verify(access_token))
    clock.now += 999
    expect(await failure(verifier.verify(access_token))).toBe(first)
    expect(hits[path]).toBe(1)
    clock.now += 1
    await failure(verifier.verify(access_token))
    expect(hits[path]).toBe(2)
    // The second failure doubles the wait to 2 s; the issuer is back by then.
    clock.now += 1999
    expect(await failure(verifier.verify(access_token))).toMatchObject({ code: 'ERR_SERVER_ERROR' })
    expect(hits[path]).toBe(2)
    clock.now += 1
    await expect(verifier.verify(access_token)).resolves.toMatchObject({
      claims: { iss: idp.issuer },
    })
    expect(hits[path]).toBe(3)
  })
})

test('RP-3: a JWKS that fails at its 300 s refetch backs off too, and recovers', async () => {
  const { idp, hits, fetch } = countingIdp()
  const { verifier, clock } = verifierFor(idp, fetch)
  const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await verifier.verify(access_token)
  expect(hits[JWKS]).toBe(1)
  clock.now += 300_000
  idp.injectFault({ endpoint: 'jwks', kind: 'server_error', times: 1000 })
  for (let i = 0; i < 20; i++) {
    await failure(verifier.verify(access_token))
    clock.now += 100
  }
  // At 300 and 301 s; the next is due at 303 s.
  expect(hits[JWKS]).toBe(3)
  idp.clearFaults()
  clock.now += 2000
  await expect(verifier.verify(access_token)).resolves.toBeDefined()
  expect(hits[JWKS]).toBe(4)
})
