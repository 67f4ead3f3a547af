import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createBrowserAuth } from '@oidckit/browser-pkce'
import type { BrowserLocation, KeyValueStorage } from '@oidckit/browser-pkce'
import { createHostileProvider } from '../src/hostile-provider.js'
import type { HostileProvider } from '../src/hostile-provider.js'
import {
  GENEROUS_TIMEOUT,
  ID_TOKEN_CASES,
  KEY_CASES,
  SILENT_TIMEOUT,
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
let shared: ReturnType<typeof memory>
let auth: ReturnType<typeof createBrowserAuth>

/** A page of the app: one createBrowserAuth on the tab's address bar and storages. */
function page(timeout: number) {
  return createBrowserAuth({
    issuer: idp.issuer,
    clientId: idp.clientId,
    redirectUri: REDIRECT_URI,
    fetch: idp.fetch,
    timeout,
    adapters: {
      location,
      transactionStorage: transactions,
      sharedStorage: shared,
      channel: null,
    },
  })
}

beforeEach(async () => {
  idp = await createHostileProvider()
  location = fakeLocation()
  transactions = memory()
  shared = memory()
  auth = page(GENEROUS_TIMEOUT)
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

test.each(endpointRows(TOKEN_ENDPOINT_CASES.filter((c) => c.code !== 'ERR_TIMEOUT')))(
  'RP-10: handleRedirectCallback rejects %s from the token endpoint with %s',
  async (_why, _code, { fault, code }) => {
    idp.tokenFault = fault
    expectNetworkError(await rejectionOf(signIn()), code)
    expect(auth.isAuthenticated).toBe(false)
  },
)

test.each(endpointRows(TOKEN_ENDPOINT_CASES.filter((c) => c.code === 'ERR_TIMEOUT')))(
  'RP-10: handleRedirectCallback gives up on %s from the token endpoint with %s at its timeout',
  async (_why, _code, { fault, code }) => {
    await auth.login()
    location.current = idp.authorize(location.assigned.at(-1)!)
    idp.tokenFault = fault
    // The callback page has the short timeout; discovery is already cached (same fetch, same
    // issuer), so it covers the code exchange, which never completes.
    const callbackPage = page(SILENT_TIMEOUT)
    try {
      expectNetworkError(await rejectionOf(callbackPage.handleRedirectCallback()), code)
      expect(callbackPage.isAuthenticated).toBe(false)
    } finally {
      callbackPage.destroy()
    }
  },
)

describe('getAccessToken: the refresh path', () => {
  // A leeway beyond the 300 s expires_in, so every getAccessToken() refreshes.
  function tab(tokens: KeyValueStorage, timeout = GENEROUS_TIMEOUT) {
    return createBrowserAuth({
      issuer: idp.issuer,
      clientId: idp.clientId,
      redirectUri: REDIRECT_URI,
      fetch: idp.fetch,
      timeout,
      refreshLeeway: 400,
      storage: tokens,
      adapters: {
        location,
        transactionStorage: transactions,
        sharedStorage: memory(),
        channel: null,
      },
    })
  }

  async function signedInTab(tokens = memory()) {
    const t = tab(tokens)
    await t.login()
    location.current = idp.authorize(location.assigned.at(-1)!)
    await t.handleRedirectCallback()
    return t
  }

  test('RP-5: refreshes when the refreshed ID token describes the same user', async () => {
    const t = await signedInTab()
    try {
      const before = idp.grants.length
      await expect(t.getAccessToken()).resolves.toEqual(expect.any(String))
      expect(idp.grants.slice(before)).toEqual(['refresh_token'])
      expect(t.user?.sub).toBe('alice')
    } finally {
      t.destroy()
    }
  })

  test.each<[string, () => void, string, string]>([
    [
      'its sub is another user',
      () => void (idp.subject = 'mallory'),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'sub',
    ],
    [
      'it is signed by a foreign key',
      () => void (idp.idTokenFault = 'bad-signature'),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'signature',
    ],
    [
      'its iss is another issuer',
      () => void (idp.idTokenFault = 'wrong-iss'),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'iss',
    ],
  ])(
    'RP-5: a refreshed ID token where %s is rejected, and the tab never shows that user',
    async (_why, breakIt, code, claim) => {
      const t = await signedInTab()
      try {
        breakIt()
        expectTokenValidationError(await rejectionOf(t.getAccessToken()), { code, claim })
        expect(t.user?.sub).not.toBe('mallory')
      } finally {
        t.destroy()
      }
    },
  )

  test('RP-5: after a reload from stored tokens, a refreshed ID token for another user is still rejected', async () => {
    const tokens = memory()
    ;(await signedInTab(tokens)).destroy()
    expect(tokens.map.size).toBeGreaterThan(0)
    const reloaded = tab(tokens)
    try {
      expect(reloaded.user?.sub).toBe('alice')
      idp.subject = 'mallory'
      expectTokenValidationError(await rejectionOf(reloaded.getAccessToken()), {
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'sub',
      })
      expect(reloaded.user?.sub).not.toBe('mallory')
    } finally {
      reloaded.destroy()
    }
  })

  test('RP-10, RP-20: a token endpoint silent on refresh fails with ERR_TIMEOUT and keeps the session', async () => {
    const tokens = memory()
    ;(await signedInTab(tokens)).destroy()
    // Reloaded with the short timeout, which then covers the refresh alone (discovery is cached).
    const t = tab(tokens, SILENT_TIMEOUT)
    try {
      idp.tokenFault = 'silence'
      expectNetworkError(await rejectionOf(t.getAccessToken()), 'ERR_TIMEOUT')
      expect(t.isAuthenticated).toBe(true)
    } finally {
      t.destroy()
    }
  })
})
