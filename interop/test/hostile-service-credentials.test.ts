import { beforeEach, expect, test } from 'vitest'
import { createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceEvent, TokenSourceOptions } from '@oidckit/service-credentials'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider, TokenEndpointFault } from '../src/hostile-provider.js'
import {
  GENEROUS_TIMEOUT,
  SILENT_TIMEOUT,
  expectNetworkError,
  rejectionOf,
} from '../src/hostile-cases.js'

// @oidckit/service-credentials' createTokenSource against a hostile token endpoint: every bad
// body is a typed NetworkError, transient ones are retried a bounded number of times, and a
// silent endpoint is given up on at the timeout or the deadline.

const MAX_ATTEMPTS = 3

let idp: HostileProvider
let events: TokenSourceEvent[]

function sourceOf(
  provider: HostileProvider,
  sink: TokenSourceEvent[],
  options: Partial<TokenSourceOptions> = {},
) {
  return createTokenSource({
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: 'app-secret',
    scope: 'api:read',
    fetch: provider.fetch,
    timeout: GENEROUS_TIMEOUT,
    deadline: GENEROUS_TIMEOUT,
    retry: { maxAttempts: MAX_ATTEMPTS, baseDelay: 10, maxDelay: 20 },
    onEvent: (event) => sink.push(event),
    ...options,
  })
}

const source = (options: Partial<TokenSourceOptions> = {}) => sourceOf(idp, events, options)

beforeEach(async () => {
  idp = await createHostileProvider()
  events = []
})

// Counted as each request arrives, before its body is read: a request cut off by a timeout counts.
const tokenRequests = (provider: HostileProvider = idp) => provider.hits['/token'] ?? 0

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

const rows = (cases: typeof CASES) =>
  cases.map((c) => [c.why, c.code, String(c.attempts), c] as const)

function expectAttempts(own: HostileProvider, seen: TokenSourceEvent[], attempts: number) {
  expect(tokenRequests(own)).toBe(attempts)
  expect(seen.filter((e) => e.type === 'retry_scheduled')).toHaveLength(attempts - 1)
  expect(seen.filter((e) => e.type === 'refresh_failed')).toHaveLength(1)
}

// Each case has its own provider and events, so the cases run side by side.
test.concurrent.each(rows(CASES.filter((c) => c.code !== 'ERR_TIMEOUT')))(
  'RP-10: getToken() rejects %s from the token endpoint with %s after %s attempt(s)',
  async (_why, _code, _attempts, { fault, code, attempts }) => {
    const own = await createHostileProvider()
    own.tokenFault = fault
    const seen: TokenSourceEvent[] = []
    expectNetworkError(await rejectionOf(sourceOf(own, seen).getToken()), code)
    expectAttempts(own, seen, attempts)
  },
)

test.concurrent.each(rows(CASES.filter((c) => c.code === 'ERR_TIMEOUT')))(
  'RP-10: getToken() gives up on %s from the token endpoint with %s after %s attempt(s), each ended by its timeout',
  async (_why, _code, _attempts, { fault, code, attempts }) => {
    const own = await createHostileProvider()
    own.tokenFault = fault
    const seen: TokenSourceEvent[] = []
    // No discovery: the short timeout covers the token requests alone, which never complete.
    const s = sourceOf(own, seen, { tokenEndpoint: `${own.issuer}/token`, timeout: SILENT_TIMEOUT })
    expectNetworkError(await rejectionOf(s.getToken()), code)
    expectAttempts(own, seen, attempts)
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
  // The per-request timeout outlasts vitest's test timeout: only the deadline can end this call.
  const s = source({ tokenEndpoint: `${idp.issuer}/token`, timeout: 120_000, deadline: 400 })
  expectNetworkError(await rejectionOf(s.getToken()), 'ERR_TIMEOUT')
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
    const silent = source({
      fetch: undefined,
      retry: false,
      tokenEndpoint: `${idp.issuer}/token`,
      timeout: SILENT_TIMEOUT,
    })
    expectNetworkError(await rejectionOf(silent.getToken()), 'ERR_TIMEOUT')
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
