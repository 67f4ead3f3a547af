import {
  createBrowserAuth,
  type BrowserAuthOptions,
  type BrowserLocation,
  type KeyValueStorage,
} from '@oidckit/browser-pkce'
import { UserAgent } from './user-agent.js'

/** A Web Storage stand-in (sessionStorage / localStorage) over a Map. */
export function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

/**
 * One tab of an SPA, in Node: every browser API browser-pkce touches goes through its
 * `adapters` seam (address bar, sessionStorage, localStorage, page events), as
 * packages/browser-pkce/test/harness.ts does under jsdom. Token requests go over the real
 * `fetch`; their paths and the token requests' grant types are noted; `agent` is the person's browser for the provider's pages.
 */
export function openBrowserTab<Claims extends object = object>(
  options: Omit<BrowserAuthOptions, 'fetch' | 'adapters'> & { tokenPath: string; href: string },
) {
  const { tokenPath, href, ...rest } = options
  const location: BrowserLocation & { current: string; assigned: string[] } = {
    current: href,
    assigned: [],
    href: () => location.current,
    assign: (url: string) => void location.assigned.push(url),
    replace: (url: string) => void (location.current = url),
  }
  const transactions = memoryStorage()
  const tokenRequests: string[] = []
  const paths: string[] = []
  const auth = createBrowserAuth<Claims>({
    ...rest,
    fetch: async (request) => {
      paths.push(`${request.method} ${new URL(request.url).pathname}`)
      if (new URL(request.url).pathname === tokenPath) {
        tokenRequests.push(new URLSearchParams(await request.clone().text()).get('grant_type')!)
      }
      return fetch(request)
    },
    adapters: {
      location,
      transactionStorage: transactions,
      sharedStorage: memoryStorage(),
      channel: null,
      window: new EventTarget(),
      document: Object.assign(new EventTarget(), { visibilityState: 'visible' }),
    },
  })
  return { auth, location, transactions, tokenRequests, paths, agent: new UserAgent() }
}

export type BrowserTab<Claims extends object = object> = ReturnType<typeof openBrowserTab<Claims>>
