import { OAuthError } from '@oidckit/browser-pkce'
import { Client } from '@oidckit/core'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { openBrowserTab, type BrowserTab } from '../src/browser-tab'
import {
  signInThroughForms,
  SPA_LOGOUT,
  SPA_REDIRECT,
  startOidcProvider,
  type RunningProvider,
} from '../src/oidc-provider'

let op: RunningProvider
beforeAll(async () => {
  op = await startOidcProvider()
})
afterAll(() => op?.close())

const tabs: BrowserTab[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.auth.destroy()
})

function openTab() {
  const tab = openBrowserTab({
    issuer: op.issuer,
    clientId: 'spa',
    redirectUri: SPA_REDIRECT,
    postLogoutRedirectUri: SPA_LOGOUT,
    // oidc-provider grants offline_access (a refresh token) only with prompt=consent.
    authorizationParams: { prompt: 'consent' },
    tokenPath: '/token',
    href: 'http://127.0.0.1:5173/',
  })
  tabs.push(tab)
  return tab
}

test("C-1, C-4, RP-8: browser-pkce signs in through oidc-provider's forms and keeps a refreshable session", async () => {
  const tab = openTab()
  await tab.auth.login({ returnTo: '/settings' })
  const authorize = new URL(tab.location.assigned[0]!)
  expect(authorize.origin + authorize.pathname).toBe(`${op.issuer}/auth`)
  const callback = await signInThroughForms(tab.agent, authorize, {
    login: 'alice',
    redirectUri: SPA_REDIRECT,
  })
  tab.location.current = callback.href
  expect(await tab.auth.handleRedirectCallback()).toEqual({ returnTo: '/settings' })
  expect(tab.auth.isAuthenticated).toBe(true)
  expect(tab.auth.user).toMatchObject({ sub: 'alice', iss: op.issuer, aud: 'spa' })
  expect(new URL(tab.location.current).search).toBe('')
  const token = await tab.auth.getAccessToken()
  const client = await Client.discover({ issuer: op.issuer, clientId: 'spa' })
  expect(await client.userinfo(token, { expectedSubject: 'alice' })).toMatchObject({
    email: 'alice@example.com',
  })
  expect(tab.tokenRequests).toEqual(['authorization_code'])

  // RP-20: logout revokes the refresh token at oidc-provider, then leaves through end session.
  await tab.auth.logout()
  expect(tab.auth.isAuthenticated).toBe(false)
  expect(tab.paths).toContain('POST /token/revocation')
  const end = new URL(tab.location.assigned.at(-1)!)
  expect(end.origin + end.pathname).toBe(`${op.issuer}/session/end`)
  expect(end.searchParams.get('id_token_hint')).toEqual(expect.any(String))
  const confirm = await tab.agent.follow(end)
  expect(confirm.response.status).toBe(200)
  const back = await tab.agent.submit(
    { html: await confirm.response.text(), url: confirm.url },
    { logout: 'yes' },
    (form) => form.id === 'op.logoutForm',
    (url) => url.href.startsWith(SPA_LOGOUT),
  )
  expect(back.url.href).toBe(SPA_LOGOUT)
  const err = await tab.auth.getAccessToken().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect((err as OAuthError).error).toBe('login_required')
})
