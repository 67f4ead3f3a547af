import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'
import {
  createBrowserAuth,
  type BrowserAuthOptions,
  type BrowserLocation,
  type KeyValueStorage,
  type LockManagerLike,
} from '@oidckit/browser-pkce'

export const issuer = 'https://idp.test'
export const redirectUri = 'http://localhost:5173/callback'

export function memory(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

/** A lock shared by the auth instances of one test, as `navigator.locks` is by a browser's tabs. */
export function sharedLocks(): LockManagerLike & { held: () => number } {
  let tail: Promise<unknown> = Promise.resolve()
  let held = 0
  return {
    held: () => held,
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(async () => {
        held++
        try {
          return await callback()
        } finally {
          held--
        }
      })
      tail = run.catch(() => undefined)
      return run
    },
  }
}

/** The address bar of one tab. */
export function fakeLocation(href = 'http://localhost:5173/'): BrowserLocation & {
  current: string
  assigned: string[]
} {
  const loc = {
    current: href,
    assigned: [] as string[],
    href: () => loc.current,
    assign: (url: string) => void loc.assigned.push(url),
    replace: (url: string) => void (loc.current = url),
  }
  return loc
}

export function newIdp(config: Parameters<typeof createMockIdp>[0] = {}): MockIdp {
  const idp = createMockIdp({ issuer, autoLogin: 'alice', ...config })
  fetches.set(idp, countingFetch(idp))
  return idp
}
const fetches = new WeakMap<MockIdp, (request: Request) => Promise<Response>>()

export interface Tab {
  auth: ReturnType<typeof createBrowserAuth<{ name?: string; email?: string }>>
  location: ReturnType<typeof fakeLocation>
  transactions: ReturnType<typeof memory>
}

export function openTab(
  idp: MockIdp,
  options: Partial<BrowserAuthOptions> & { shared?: KeyValueStorage } = {},
): Tab {
  const location = fakeLocation()
  const transactions = memory()
  const { shared, adapters, ...rest } = options
  const auth = createBrowserAuth<{ name?: string; email?: string }>({
    issuer,
    clientId: 'spa',
    redirectUri,
    postLogoutRedirectUri: 'http://localhost:5173/',
    fetch: fetches.get(idp) ?? idp.fetch,
    clock: () => idp.clock.now() * 1000,
    // In-process requests: a busy machine may make one slow, never failed (tests of the
    // timeout itself pass their own).
    timeout: 60_000,
    ...rest,
    adapters: {
      location,
      transactionStorage: transactions,
      sharedStorage: shared ?? memory(),
      channel: null,
      ...adapters,
    },
  })
  return { auth, location, transactions }
}

/** Follows the authorization URL through mock-idp (auto login) to the callback URL. */
export async function authorize(idp: MockIdp, url: string): Promise<string> {
  const response = await idp.fetch(new Request(url, { redirect: 'manual' }))
  const location = response.headers.get('location')
  if (response.status !== 302 || !location) {
    throw new Error(`authorize answered ${response.status}: ${await response.text()}`)
  }
  return location
}

/** login() in a tab, then the callback in the same tab. */
export async function signIn(idp: MockIdp, tab: Tab, returnTo?: string) {
  await tab.auth.login(returnTo === undefined ? {} : { returnTo })
  const callback = await authorize(idp, tab.location.assigned.at(-1)!)
  tab.location.current = callback
  return tab.auth.handleRedirectCallback()
}

// mock-idp's request log reads bodies only with a Content-Length, which in-process Requests lack.
const grants = new WeakMap<MockIdp, string[]>()

/** `idp.fetch`, noting the grant type of every token request. */
export function countingFetch(idp: MockIdp) {
  const seen: string[] = []
  grants.set(idp, seen)
  return async (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname === '/oauth/token') {
      const body = new URLSearchParams(await request.clone().text())
      seen.push(body.get('grant_type') ?? '')
    }
    return idp.fetch(request)
  }
}

export function tokenRequests(idp: MockIdp, grant: string): number {
  return (grants.get(idp) ?? []).filter((g) => g === grant).length
}
