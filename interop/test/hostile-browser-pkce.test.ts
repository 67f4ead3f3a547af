import { afterEach, beforeEach, expect, test } from 'vitest'
import { createBrowserAuth } from '@oidckit/browser-pkce'
import type { BrowserLocation, KeyValueStorage } from '@oidckit/browser-pkce'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider } from '../src/hostile-provider.js'
import {
  ID_TOKEN_CASES,
  KEY_CASES,
  TOKEN_ENDPOINT_CASES,
  endpointRows,
  expectNetworkError,
  expectTokenValidationError,
  jwtRows,
  rejectionOf,
} from '../src/hostile-cases.js'

// @oidckit/browser-pkce's redirect callback against a hostile provider. Every browser API it
// uses is an adapter, faked the way packages/browser-pkce/test/harness.ts does it (an address
// bar, in-memory storages, no BroadcastChannel), so this runs in the node environment: vitest's
// stock jsdom mixes realms (jose then fails on a jsdom Uint8Array), and the package's
// single-realm jsdom environment cannot be chosen per file.

const REDIRECT_URI = 'http://localhost:5173/callback'
const TIMEOUT = 1000

function memory(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

function fakeLocation(): BrowserLocation & { current: string; assigned: string[] } {
  const loc = {
    current: 'http://localhost:5173/',
    assigned: [] as string[],
    href: () => loc.current,
    assign: (url: string) => void loc.assigned.push(url),
    replace: (url: string) => void (loc.current = url),
  }
  return loc
}

let idp: HostileProvider
let location: ReturnType<typeof fakeLocation>
let transactions: ReturnType<typeof memory>
let auth: ReturnType<typeof createBrowserAuth>

beforeEach(async () => {
  idp = await createHostileProvider()
  location = fakeLocation()
  transactions = memory()
  auth = createBrowserAuth({
    issuer: idp.issuer,
    clientId: idp.clientId,
    redirectUri: REDIRECT_URI,
    fetch: idp.fetch,
    timeout: TIMEOUT,
    adapters: {
      location,
      transactionStorage: transactions,
      sharedStorage: memory(),
      channel: null,
    },
  })
})

afterEach(() => {
  auth.destroy()
})

/** login(), the provider's redirect, then the callback page. */
async function signIn() {
  await auth.login()
  location.current = idp.authorize(location.assigned.at(-1)!)
  return auth.handleRedirectCallback()
}

test('RP-1, RP-2: the callback accepts a well-formed ID token and signs the user in', async () => {
  await signIn()
  expect(auth.isAuthenticated).toBe(true)
  expect(auth.user?.sub).toBe('alice')
  expect(transactions.map.size).toBe(0)
})

test.each(jwtRows([...ID_TOKEN_CASES, ...KEY_CASES]))(
  '%s: handleRedirectCallback rejects an ID token whose %s (%s)',
  async (_req, _why, _fault, { fault, code, claim }) => {
    idp.idTokenFault = fault
    expectTokenValidationError(await rejectionOf(signIn()), { code, claim })
    expect(auth.isAuthenticated).toBe(false)
    expect(auth.user).toBeUndefined()
  },
)

test('C-1: handleRedirectCallback rejects a state that is not the one sent, redeeming no code', async () => {
  idp.callbackFault = 'wrong-state'
  expectTokenValidationError(await rejectionOf(signIn()), {
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'state',
  })
  expect(idp.grants).toEqual([])
  expect(auth.isAuthenticated).toBe(false)
})

test('C-3, RP-8: handleRedirectCallback rejects an iss naming another server (RFC 9207), redeeming no code', async () => {
  idp.callbackFault = 'wrong-iss'
  expectTokenValidationError(await rejectionOf(signIn()), {
    code: 'ERR_AUTHORIZATION_RESPONSE_INVALID',
    claim: 'iss',
  })
  expect(idp.grants).toEqual([])
})

test.each(endpointRows(TOKEN_ENDPOINT_CASES))(
  'RP-10: handleRedirectCallback rejects %s from the token endpoint with %s, within the timeout',
  async (_why, _code, { fault, code }) => {
    idp.tokenFault = fault
    const started = Date.now()
    expectNetworkError(await rejectionOf(signIn()), code)
    expect(Date.now() - started).toBeLessThan(TIMEOUT + 2000)
    expect(auth.isAuthenticated).toBe(false)
  },
)
