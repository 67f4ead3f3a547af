import { expect, test } from 'vitest'
import { Client, DiscoveryError, NetworkError, OidcKitError } from '@oidckit/core'
import { createBrowserAuth } from '@oidckit/browser-pkce'
import type { KeyValueStorage } from '@oidckit/browser-pkce'
import { deviceLogin } from '@oidckit/device-cli'
import { createTokenVerifier } from '@oidckit/node-server'
import { createTokenSource } from '@oidckit/service-credentials'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { DiscoveryFault, HostileProvider } from '../src/hostile-provider.js'
import { GENEROUS_TIMEOUT, SILENT_TIMEOUT, rejectionOf } from '../src/hostile-cases.js'

// One hostile discovery document, every package: each refuses it with a typed error before
// it sends anything to an endpoint the document names (C-12, RP-7, RP-10).

interface DiscoveryCase {
  fault: DiscoveryFault
  req: string
  why: string
  type: typeof DiscoveryError | typeof NetworkError
  code: string
  /**
   * The request timeout of the packages that take one: short only where the document never
   * comes, so that the timeout is the only way the call can end.
   */
  timeout: number
}

const CASES: readonly DiscoveryCase[] = [
  {
    fault: 'issuer-mismatch',
    req: 'RP-7, C-3',
    why: 'names another issuer',
    type: DiscoveryError,
    code: 'ERR_DISCOVERY_ISSUER_MISMATCH',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'insecure-endpoint',
    req: 'RP-7',
    why: 'has a plain http token endpoint on a public host',
    type: DiscoveryError,
    code: 'ERR_INSECURE_ENDPOINT',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'not-an-object',
    req: 'RP-10',
    why: 'is a JSON array',
    type: DiscoveryError,
    code: 'ERR_DISCOVERY_INVALID',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'html',
    req: 'RP-10',
    why: 'is an HTML page',
    type: NetworkError,
    code: 'ERR_RESPONSE_NOT_JSON',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'invalid-json',
    req: 'RP-10',
    why: 'does not parse',
    type: NetworkError,
    code: 'ERR_RESPONSE_NOT_JSON',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'server-error',
    req: 'RP-10',
    why: 'is an HTTP 500',
    type: NetworkError,
    code: 'ERR_SERVER_ERROR',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'huge-body',
    req: 'RP-10',
    why: 'is 5 MB',
    type: NetworkError,
    code: 'ERR_RESPONSE_TOO_LARGE',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'redirect',
    req: 'RP-10',
    why: 'is a redirect elsewhere',
    type: NetworkError,
    code: 'ERR_UNEXPECTED_STATUS',
    timeout: GENEROUS_TIMEOUT,
  },
  {
    fault: 'silence',
    req: 'RP-10',
    why: 'never comes',
    type: NetworkError,
    code: 'ERR_TIMEOUT',
    timeout: SILENT_TIMEOUT,
  },
  {
    fault: 'stalled-body',
    req: 'RP-10',
    why: 'stalls midway',
    type: NetworkError,
    code: 'ERR_TIMEOUT',
    timeout: SILENT_TIMEOUT,
  },
]

// node-server and device-cli have no timeout option (core's 10 s default applies): the
// never-ending cases are left to the packages that take one.
const BOUNDED = CASES.filter((c) => c.code !== 'ERR_TIMEOUT')

const rows = (cases: readonly DiscoveryCase[]) =>
  cases.map((c): [string, string, string, DiscoveryCase] => [c.req, c.why, c.code, c])

function memory(): KeyValueStorage {
  const map = new Map<string, string>()
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

async function provider(fault: DiscoveryFault): Promise<HostileProvider> {
  const idp = await createHostileProvider()
  idp.discoveryFault = fault
  return idp
}

async function expectRefused(idp: HostileProvider, run: Promise<unknown>, c: DiscoveryCase) {
  const err = await rejectionOf(run)
  expect(err).toBeInstanceOf(OidcKitError)
  expect(err).toBeInstanceOf(c.type)
  expect((err as OidcKitError).code).toBe(c.code)
  // Nothing but discovery was asked for.
  expect(Object.keys(idp.hits).filter((path) => !path.startsWith('/.well-known/'))).toEqual([])
}

test.concurrent.each(rows(CASES))(
  '%s: core Client.discover refuses a discovery document that %s, with %s',
  async (_req, _why, _code, c) => {
    const idp = await provider(c.fault)
    const run = Client.discover({
      issuer: idp.issuer,
      clientId: idp.clientId,
      fetch: idp.fetch,
      timeout: c.timeout,
    })
    await expectRefused(idp, run, c)
  },
)

test.concurrent.each(rows(CASES))(
  '%s: browser-pkce login() refuses a discovery document that %s, with %s, and navigates nowhere',
  async (_req, _why, _code, c) => {
    const idp = await provider(c.fault)
    const assigned: string[] = []
    const auth = createBrowserAuth({
      issuer: idp.issuer,
      clientId: idp.clientId,
      redirectUri: 'http://localhost:5173/callback',
      fetch: idp.fetch,
      timeout: c.timeout,
      adapters: {
        location: {
          href: () => 'http://localhost:5173/',
          assign: (url) => void assigned.push(url),
          replace: () => undefined,
        },
        transactionStorage: memory(),
        sharedStorage: memory(),
        channel: null,
      },
    })
    try {
      await expectRefused(idp, auth.login(), c)
      expect(assigned).toEqual([])
    } finally {
      auth.destroy()
    }
  },
)

test.concurrent.each(rows(CASES))(
  '%s: service-credentials getToken() refuses a discovery document that %s, with %s',
  async (_req, _why, _code, c) => {
    const idp = await provider(c.fault)
    const source = createTokenSource({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: 'app-secret',
      fetch: idp.fetch,
      timeout: c.timeout,
      retry: false,
    })
    await expectRefused(idp, source.getToken(), c)
  },
)

test.concurrent.each(rows(BOUNDED))(
  '%s: node-server verify() refuses a discovery document that %s, with %s',
  async (_req, _why, _code, c) => {
    const idp = await provider(c.fault)
    const verifier = createTokenVerifier({
      issuer: idp.issuer,
      audience: idp.audience,
      fetch: idp.fetch,
    })
    await expectRefused(idp, verifier.verify(await idp.accessToken()), c)
  },
)

test.concurrent.each(rows(BOUNDED))(
  '%s: device-cli deviceLogin refuses a discovery document that %s, with %s, showing no code',
  async (_req, _why, _code, c) => {
    const idp = await provider(c.fault)
    const shown: unknown[] = []
    const run = deviceLogin({
      issuer: idp.issuer,
      clientId: idp.clientId,
      fetch: idp.fetch,
      onCode: (code) => void shown.push(code),
    })
    await expectRefused(idp, run, c)
    expect(shown).toEqual([])
  },
)
