import { createBrowserAuth, type BrowserAuthOptions } from '@oidckit/browser-pkce'
import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'

export const issuer = 'https://idp.test'
export const redirectUri = 'http://localhost:5173/callback'

export function fakeLocation(href = 'http://localhost:5173/') {
  const loc = {
    current: href,
    assigned: [] as string[],
    href: () => loc.current,
    assign: (url: string) => void loc.assigned.push(url),
    replace: (url: string) => void (loc.current = url),
  }
  return loc
}

export function memory() {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  }
}

export function newIdp(): {
  idp: MockIdp
  grants: string[]
  fetch: (r: Request) => Promise<Response>
} {
  const idp = createMockIdp({ issuer, autoLogin: 'alice' })
  const grants: string[] = []
  const fetch = async (request: Request) => {
    if (new URL(request.url).pathname === '/oauth/token') {
      grants.push(new URLSearchParams(await request.clone().text()).get('grant_type') ?? '')
    }
    return idp.fetch(request)
  }
  return { idp, grants, fetch }
}

export function browserAuth(
  env: ReturnType<typeof newIdp>,
  location = fakeLocation(),
  transactions = memory(),
  extra: Partial<BrowserAuthOptions> = {},
) {
  return createBrowserAuth<{ name?: string }>({
    issuer,
    clientId: 'spa',
    redirectUri,
    fetch: env.fetch,
    clock: () => env.idp.clock.now() * 1000,
    ...extra,
    adapters: {
      location,
      transactionStorage: transactions,
      sharedStorage: memory(),
      channel: null,
    },
  })
}

/** Runs login() in a "previous page" and returns the callback URL mock-idp redirects to. */
export async function callbackUrl(
  env: ReturnType<typeof newIdp>,
  transactions: ReturnType<typeof memory>,
) {
  const before = fakeLocation()
  const auth = browserAuth(env, before, transactions)
  await auth.login({ returnTo: '/inbox' })
  auth.destroy()
  const response = await env.idp.fetch(new Request(before.assigned[0]!, { redirect: 'manual' }))
  return response.headers.get('location')!
}
