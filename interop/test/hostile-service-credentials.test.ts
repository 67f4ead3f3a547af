import { beforeEach, expect, test } from 'vitest'
import { createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceEvent, TokenSourceOptions } from '@oidckit/service-credentials'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider, TokenEndpointFault } from '../src/hostile-provider.js'
import { expectNetworkError, rejectionOf } from '../src/hostile-cases.js'

// @oidckit/service-credentials' createTokenSource against a hostile token endpoint: every bad
// body is a typed NetworkError, transient ones are retried a bounded number of times, and
// nothing outlives the timeout.

const TIMEOUT = 500
const MAX_ATTEMPTS = 3

let idp: HostileProvider
let events: TokenSourceEvent[]

function source(options: Partial<TokenSourceOptions> = {}) {
  return createTokenSource({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: 'app-secret',
    scope: 'api:read',
    fetch: idp.fetch,
    timeout: TIMEOUT,
    deadline: 10_000,
    retry: { maxAttempts: MAX_ATTEMPTS, baseDelay: 10, maxDelay: 20 },
    onEvent: (event) => events.push(event),
    ...options,
  })
}

beforeEach(async () => {
  idp = await createHostileProvider()
  events = []
})

const tokenRequests = () => idp.grants.filter((g) => g === 'client_credentials').length

// Which answers are worth another try (RP-10 with RFC 6749 §5.2): a garbled or failed exchange,
// never a body over the size cap.
const CASES: readonly {
  fault: TokenEndpointFault
  why: string
  code: string
  attempts: number
}[] = [
  { fault: 'html', why: 'an HTML page', code: 'ERR_RESPONSE_NOT_JSON', attempts: MAX_ATTEMPTS },
  {
    fault: 'invalid-json',
    why: 'JSON that does not parse',
    code: 'ERR_RESPONSE_NOT_JSON',
    attempts: MAX_ATTEMPTS,
  },
  { fault: 'server-error', why: 'HTTP 500', code: 'ERR_SERVER_ERROR', attempts: MAX_ATTEMPTS },
  { fault: 'huge-body', why: 'a 5 MB body', code: 'ERR_RESPONSE_TOO_LARGE', attempts: 1 },
  { fault: 'silence', why: 'no answer at all', code: 'ERR_TIMEOUT', attempts: MAX_ATTEMPTS },
  {
    fault: 'stalled-body',
    why: 'a body that stalls midway',
    code: 'ERR_TIMEOUT',
    attempts: MAX_ATTEMPTS,
  },
  { fault: 'redirect', why: 'a redirect', code: 'ERR_UNEXPECTED_STATUS', attempts: 1 },
  { fault: 'not-an-object', why: 'a JSON array', code: 'ERR_RESPONSE_INVALID', attempts: 1 },
]

test('C-9: accepts a well-formed client-credentials token response', async () => {
  const token = await source().getToken()
  expect(typeof token).toBe('string')
  expect(tokenRequests()).toBe(1)
})

test.concurrent.each(CASES.map((c) => [c.why, c.code, String(c.attempts), c] as const))(
  'RP-10: getToken() rejects %s from the token endpoint with %s after %s attempt(s)',
  async (_why, _code, _attempts, { fault, code, attempts }) => {
    // Its own provider and events, so the slow cases run side by side.
    const own = await createHostileProvider()
    const seen: TokenSourceEvent[] = []
    own.tokenFault = fault
    const started = Date.now()
    const s = createTokenSource({
      issuer: own.issuer,
      clientId: own.clientId,
      clientSecret: 'app-secret',
      scope: 'api:read',
      fetch: own.fetch,
      timeout: TIMEOUT,
      deadline: 10_000,
      retry: { maxAttempts: MAX_ATTEMPTS, baseDelay: 10, maxDelay: 20 },
      onEvent: (event) => seen.push(event),
    })
    expectNetworkError(await rejectionOf(s.getToken()), code)
    expect(own.grants.filter((g) => g === 'client_credentials')).toHaveLength(attempts)
    expect(seen.filter((e) => e.type === 'retry_scheduled')).toHaveLength(attempts - 1)
    expect(seen.filter((e) => e.type === 'refresh_failed')).toHaveLength(1)
    // Each attempt is bounded by the per-exchange timeout, plus at most 20 ms of backoff.
    expect(Date.now() - started).toBeLessThan(attempts * (TIMEOUT + 20) + 2000)
  },
)

test('RP-10: with the default retry policy a 500 is tried exactly 4 times, then fails typed', async () => {
  idp.tokenFault = 'server-error'
  const s = createTokenSource({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: 'app-secret',
    fetch: idp.fetch,
    onEvent: (event) => events.push(event),
  })
  expectNetworkError(await rejectionOf(s.getToken()), 'ERR_SERVER_ERROR')
  expect(tokenRequests()).toBe(4)
})

test('RP-10: a silent token endpoint fails with ERR_TIMEOUT at the overall deadline', async () => {
  idp.tokenFault = 'silence'
  const started = Date.now()
  const err = await rejectionOf(source({ timeout: 10_000, deadline: 400 }).getToken())
  expectNetworkError(err, 'ERR_TIMEOUT')
  expect(Date.now() - started).toBeLessThan(2400)
  expect(tokenRequests()).toBe(1)
})

test('RP-10: after a failure the source recovers once the token endpoint is sane again', async () => {
  idp.tokenFault = 'invalid-json'
  const s = source({ retry: false })
  expectNetworkError(await rejectionOf(s.getToken()), 'ERR_RESPONSE_NOT_JSON')
  idp.tokenFault = undefined
  await expect(s.getToken()).resolves.toEqual(expect.any(String))
})

test('RP-10: over loopback HTTP, a silent endpoint times out and a 5 MB body is cut off', async () => {
  const server = await idp.listen()
  try {
    idp.tokenFault = 'silence'
    const started = Date.now()
    expectNetworkError(
      await rejectionOf(source({ fetch: undefined, retry: false }).getToken()),
      'ERR_TIMEOUT',
    )
    expect(Date.now() - started).toBeLessThan(TIMEOUT + 2000)
    idp.tokenFault = 'huge-body'
    expectNetworkError(
      await rejectionOf(source({ fetch: undefined, retry: false }).getToken()),
      'ERR_RESPONSE_TOO_LARGE',
    )
    idp.tokenFault = undefined
    await expect(source({ fetch: undefined }).getToken()).resolves.toEqual(expect.any(String))
  } finally {
    await server.close()
  }
})
