import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import { createTokenVerifier, toBearerError } from '@oidckit/node-server'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { DiscoveryFault, HostileProvider } from '../src/hostile-provider.js'
import {
  TOKEN_ENDPOINT_CASES,
  endpointRows,
  expectNetworkError,
  expectTokenValidationError,
  rejectionOf,
} from '../src/hostile-cases.js'

// @oidckit/node-server's createTokenVerifier against an issuer that stays broken: a JWKS or
// discovery document that keeps failing is asked again only as a backoff allows (1 s doubling
// to 60 s, RP-3, RP-10), and a key the issuer withdraws stops the tokens it signed, cached ones
// included, once the key set is 300 s old (RP-3).

const JWKS = '/jwks'
const DISCOVERY = '/.well-known/openid-configuration'

/** A verifier on a clock the test moves by hand. */
function verifierOn(idp: HostileProvider) {
  const clock = { now: Date.now() }
  const verifier = createTokenVerifier({
    issuer: idp.issuer,
    audience: idp.audience,
    fetch: idp.fetch,
    clock: () => clock.now,
  })
  return { verifier, clock }
}

/** 120 tokens, one every 500 ms: a minute of traffic during the outage. */
async function minuteOfTraffic(
  verify: () => Promise<unknown>,
  clock: { now: number },
  check: (err: unknown) => void,
) {
  for (let i = 0; i < 120; i++) {
    check(await rejectionOf(verify()))
    clock.now += 500
  }
}

// The timeout faults take the 5 s JWKS timeout per fetch; the silent case below covers them.
const QUICK_FAULTS = TOKEN_ENDPOINT_CASES.filter((c) => c.code !== 'ERR_TIMEOUT')

describe('a JWKS endpoint that keeps failing', () => {
  test.each(endpointRows(QUICK_FAULTS))(
    'RP-3, RP-10: a JWKS answering %s is refused with %s by every token of a minute, in 6 fetches, then recovers',
    async (_why, _code, { fault, code }) => {
      const idp = await createHostileProvider()
      const { verifier, clock } = verifierOn(idp)
      const token = await idp.accessToken()
      idp.jwksFault = fault
      await minuteOfTraffic(
        () => verifier.verify(token),
        clock,
        (err) => {
          expectNetworkError(err, code)
          expect(toBearerError(err).status).toBe(503)
        },
      )
      // Fetches at 0, 1, 3, 7, 15 and 31 s; the next is due at 63 s.
      expect(idp.hits[JWKS]).toBe(6)
      idp.jwksFault = undefined
      clock.now += 3000
      await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } })
      expect(idp.hits[JWKS]).toBe(7)
    },
  )

  test('RP-3, RP-10: a silent JWKS costs one fetch for a burst of 20 tokens, and the next token fails at once', async () => {
    const idp = await createHostileProvider()
    const { verifier, clock } = verifierOn(idp)
    const token = await idp.accessToken()
    idp.jwksFault = 'silence'
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => rejectionOf(verifier.verify(token))),
    )
    for (const err of burst) expectNetworkError(err, 'ERR_TIMEOUT')
    expect(idp.hits[JWKS]).toBe(1)
    // Within the 1 s backoff: the same error, and no second five-second wait on the issuer.
    clock.now += 500
    expect(await rejectionOf(verifier.verify(token))).toBe(burst[0])
    expect(idp.hits[JWKS]).toBe(1)
  })

  test('RP-3: a JWKS that breaks at its 300 s refetch is not hammered either', async () => {
    const idp = await createHostileProvider()
    const { verifier, clock } = verifierOn(idp)
    const token = await idp.accessToken()
    await verifier.verify(token)
    clock.now += 300_000
    idp.jwksFault = 'server-error'
    await minuteOfTraffic(
      () => verifier.verify(token),
      clock,
      (err) => expectNetworkError(err, 'ERR_SERVER_ERROR'),
    )
    expect(idp.hits[JWKS]).toBe(1 + 6)
  })
})

describe('a discovery document that keeps failing', () => {
  test.each<[string, DiscoveryFault, string]>([
    ['HTTP 500', 'server-error', 'ERR_SERVER_ERROR'],
    ['an HTML page', 'html', 'ERR_RESPONSE_NOT_JSON'],
    ['another issuer', 'issuer-mismatch', 'ERR_DISCOVERY_ISSUER_MISMATCH'],
  ])(
    'RP-7, RP-10: discovery answering %s is refused by every token of a minute, in 6 fetches, then recovers',
    async (_why, fault, code) => {
      const idp = await createHostileProvider()
      const { verifier, clock } = verifierOn(idp)
      const token = await idp.accessToken()
      idp.discoveryFault = fault
      await minuteOfTraffic(
        () => verifier.verify(token),
        clock,
        (err) => {
          expect(err).toMatchObject({ code })
          expect(toBearerError(err).status).toBe(503)
        },
      )
      expect(idp.hits[DISCOVERY]).toBe(6)
      expect(idp.hits[JWKS]).toBeUndefined()
      idp.discoveryFault = undefined
      clock.now += 3000
      await expect(verifier.verify(token)).resolves.toBeDefined()
      expect(idp.hits[DISCOVERY]).toBe(7)
    },
  )
})

describe('a key the issuer withdraws (mock-idp over loopback HTTP)', () => {
  let idp: MockIdp
  let close: () => Promise<void>

  beforeAll(async () => {
    // The old key leaves the JWKS 60 s after a rotation.
    idp = createMockIdp({ keyRotationGrace: 60 })
    const server = await idp.listen({ port: 0 })
    close = () => server.close()
  })
  afterAll(() => close())

  test('RP-3: a cached token stops working once its key has left the JWKS and the set is 300 s old', async () => {
    let jwksRequests = 0
    // The verifier reads the provider's clock: a snapshot would fall behind the tokens it
    // issues while a busy machine runs the test.
    const verifier = createTokenVerifier({
      issuer: idp.issuer,
      audience: 'http://localhost:4000',
      cache: true,
      clock: () => idp.clock.now() * 1000,
      fetch: (request) => {
        if (new URL(request.url).pathname === '/.well-known/jwks') jwksRequests += 1
        return fetch(request)
      },
    })
    const { access_token } = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    const cached = await verifier.verify(access_token)
    expect(await verifier.verify(access_token)).toBe(cached)

    await idp.rotateKeys()
    idp.clock.advance(61)
    // Withdrawn, but the verifier has had no reason to look yet.
    expect(await verifier.verify(access_token)).toBe(cached)

    idp.clock.advance(240)
    expectTokenValidationError(await rejectionOf(verifier.verify(access_token)), {
      code: 'ERR_JWKS_NO_MATCHING_KEY',
      claim: 'kid',
    })
    expect(jwksRequests).toBe(2)
    // A token from the new key is accepted from the same, refreshed set.
    const fresh = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    await expect(verifier.verify(fresh.access_token)).resolves.toBeDefined()
    expect(jwksRequests).toBe(2)
  })
})
