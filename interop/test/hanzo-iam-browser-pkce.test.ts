// browser-pkce against the Hanzo IAM-style mock-idp over loopback HTTP, in Node, through the
// package's `adapters` seam (src/browser-tab.ts).
import { OAuthError } from '@oidckit/browser-pkce'
import { createMockIdp, type MockIdp, type MockIdpServer } from '@oidckit/mock-idp'
import { createTokenVerifier } from '@oidckit/node-server'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import {
  HANZO_API,
  HANZO_SPA_LOGOUT,
  HANZO_SPA_REDIRECT,
  hanzoIamConfig,
  type HanzoClaims,
} from '../src/hanzo-iam'
import { signInAtMockIdp } from '../src/mock-idp-login'
import { openBrowserTab } from '../src/browser-tab'

let idp: MockIdp
let server: MockIdpServer
beforeAll(async () => {
  idp = createMockIdp(hanzoIamConfig())
  server = await idp.listen({ port: 0 })
})
afterAll(() => server?.close())

/** One tab of the SPA at http://127.0.0.1:5173. */
function openTab(clock?: () => number) {
  const tab = openBrowserTab<HanzoClaims>({
    issuer: server.url,
    clientId: 'app-hanzo-spa',
    redirectUri: HANZO_SPA_REDIRECT,
    postLogoutRedirectUri: HANZO_SPA_LOGOUT,
    clock,
    tokenPath: '/oauth/token',
    href: 'http://127.0.0.1:5173/projects',
  })
  tabs.push(tab.auth)
  return tab
}
const tabs: { destroy(): void }[] = []
afterEach(() => {
  for (const auth of tabs.splice(0)) auth.destroy()
})

/** login(), the person signs in on mock-idp's form, then the app handles the callback. */
async function signIn(tab: ReturnType<typeof openTab>, username = 'z') {
  await tab.auth.login({ returnTo: '/projects?org=hanzo' })
  const callback = await signInAtMockIdp(tab.agent, tab.location.assigned.at(-1)!, {
    username,
    password: `${username}-password`,
    redirectUri: HANZO_SPA_REDIRECT,
  })
  tab.location.current = callback.href
  expect(tab.auth.isRedirectCallback()).toBe(true)
  return tab.auth.handleRedirectCallback()
}

test('C-1, C-4: browser-pkce signs a Hanzo user in through the login form and exposes owner, isAdmin, type', async () => {
  const tab = openTab()
  const { returnTo } = await signIn(tab)
  expect(returnTo).toBe('/projects?org=hanzo')
  expect(tab.auth.isAuthenticated).toBe(true)
  expect(tab.auth.user).toMatchObject({
    sub: 'hanzo/z',
    owner: 'hanzo',
    displayName: 'Zach Kelling',
    isAdmin: true,
    type: 'normal-user',
  })
  // C-14: the transaction is spent and the address bar cleaned.
  expect(tab.transactions.map.size).toBe(0)
  expect(new URL(tab.location.current).search).toBe('')
  const token = await tab.auth.getAccessToken()
  const { claims } = await createTokenVerifier<HanzoClaims>({
    issuer: server.url,
    audience: HANZO_API,
  }).verify(token)
  expect(claims).toMatchObject({ sub: 'hanzo/z', owner: 'hanzo', client_id: 'app-hanzo-spa' })
  expect(tab.tokenRequests).toEqual(['authorization_code'])
})

test('RP-20: getAccessToken() refreshes a token about to expire once for concurrent callers', async () => {
  let ahead = 0
  const tab = openTab(() => Date.now() + ahead * 1000)
  await signIn(tab, 'ann')
  const first = await tab.auth.getAccessToken()
  expect(await tab.auth.getAccessToken()).toBe(first)
  expect(tab.tokenRequests).toEqual(['authorization_code'])
  // Two hours on, less 30 s: inside the 60 s refresh leeway of the 7200 s token. Both clocks move.
  ahead = 7200 - 30
  idp.clock.advance(ahead)
  try {
    const tokens = await Promise.all(Array.from({ length: 5 }, () => tab.auth.getAccessToken()))
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first)
    expect(tab.tokenRequests).toEqual(['authorization_code', 'refresh_token'])
    expect(tab.auth.user).toMatchObject({ sub: 'acme/ann', owner: 'acme', isAdmin: false })
  } finally {
    idp.clock.reset()
  }
})

test('RP-20, RP-21: logout revokes the refresh token and leaves through the end session endpoint', async () => {
  const tab = openTab()
  await signIn(tab)
  await tab.auth.logout()
  expect(tab.auth.isAuthenticated).toBe(false)
  const end = new URL(tab.location.assigned.at(-1)!)
  expect(end.origin + end.pathname).toBe(`${server.url}/oauth/logout`)
  expect(end.searchParams.get('post_logout_redirect_uri')).toBe(HANZO_SPA_LOGOUT)
  const done = await tab.agent.follow(end, {}, (u) => u.href.startsWith(HANZO_SPA_LOGOUT))
  expect(done.url.href.startsWith(HANZO_SPA_LOGOUT)).toBe(true)
  const err = await tab.auth.getAccessToken().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect((err as OAuthError).error).toBe('login_required')
})
