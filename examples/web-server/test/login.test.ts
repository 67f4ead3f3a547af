import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp, defaultConfig } from '@oidckit/mock-idp'
import { createWebServer } from '../src/app.js'

let web: Server
let base: string
let idpServer: { url: string; close(): Promise<void> }

beforeAll(async () => {
  web = createWebServer({ issuer: 'http://placeholder.invalid' }).listen(0, '127.0.0.1')
  await new Promise((resolve) => web.once('listening', resolve))
  const port = (web.address() as AddressInfo).port
  base = `http://127.0.0.1:${port}`
  // The demo web-app client, registered for this test's port.
  const config = defaultConfig()
  const clients = config.clients!.map((client) =>
    client.clientId === 'web-app'
      ? { ...client, redirectUris: [`${base}/callback`], postLogoutRedirectUris: [`${base}/`] }
      : client,
  )
  const idp = createMockIdp({ ...config, issuer: undefined, clients })
  idpServer = await idp.listen({ port: 0 })
  web.close()
  web = createWebServer({ issuer: idpServer.url, baseUrl: base }).listen(port, '127.0.0.1')
  await new Promise((resolve) => web.once('listening', resolve))
})

afterAll(async () => {
  await new Promise((resolve) => web.close(resolve))
  await idpServer.close()
})

/** A cookie jar per origin, enough to drive the flow like a browser. */
class Browser {
  readonly jars = new Map<string, Map<string, string>>()
  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const { origin } = new URL(url)
    const jar = this.jars.get(origin) ?? new Map<string, string>()
    this.jars.set(origin, jar)
    const headers = new Headers(init.headers)
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const res = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      const value = pair!.slice(eq + 1)
      if (/max-age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    return res
  }
}

function formFields(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&')
  const fields: Record<string, string> = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] = match[2]!.replace(/&amp;/g, '&')
  }
  return { action, fields }
}

async function signIn(browser: Browser): Promise<Response> {
  const login = await browser.get(`${base}/login?returnTo=/`)
  expect(login.status).toBe(303)
  const authorize = login.headers.get('location')!
  expect(authorize.startsWith(`${idpServer.url}/oauth/authorize`)).toBe(true)
  expect(new URL(authorize).searchParams.get('response_mode')).toBe('query')
  const form = await browser.get(authorize)
  expect(form.status).toBe(200)
  const { action, fields } = formFields(await form.text())
  const submitted = await browser.get(new URL(action, idpServer.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, username: 'alice', password: 'alice-password' }),
  })
  expect(submitted.status).toBe(303)
  const callback = submitted.headers.get('location')!
  expect(callback.startsWith(`${base}/callback?`)).toBe(true)
  return browser.get(callback)
}

test('signs Alice in through the mock-idp login form and shows her name and claims', async () => {
  const browser = new Browser()
  const signedOut = await browser.get(`${base}/`)
  expect(await signedOut.text()).toContain('You are signed out')
  const callback = await signIn(browser)
  expect(callback.status).toBe(303)
  expect(callback.headers.get('location')).toBe('/')
  const home = await browser.get(`${base}/`)
  const html = await home.text()
  expect(html).toContain('Hello, Alice Liddell')
  expect(html).toContain('user-alice')
  expect(html).toContain('alice@example.com')
})

test('RP-12: sets the session cookie HttpOnly and SameSite=Lax, per app, without Domain', async () => {
  const browser = new Browser()
  const login = await browser.get(`${base}/login`)
  const tx = login.headers.getSetCookie()[0]!
  expect(tx).toMatch(/^oidckit-web-app-tx=/)
  expect(tx).toContain('HttpOnly')
  expect(tx).toContain('SameSite=Lax')
  expect(tx).not.toContain('Domain')
})

test('signs out: clears the session and redirects to the provider with id_token_hint', async () => {
  const browser = new Browser()
  await signIn(browser)
  const logout = await browser.get(`${base}/logout`, { method: 'POST' })
  expect(logout.status).toBe(303)
  const location = new URL(logout.headers.get('location')!)
  expect(location.href.startsWith(`${idpServer.url}/oauth/logout`)).toBe(true)
  expect(location.searchParams.get('id_token_hint')).toBeTruthy()
  expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/`)
  const back = await browser.get(location.href)
  expect([302, 303]).toContain(back.status)
  expect(back.headers.get('location')).toBe(`${base}/`)
  expect(await (await browser.get(`${base}/`)).text()).toContain('You are signed out')
})

test('explains a callback that arrives without the login cookie', async () => {
  const res = await new Browser().get(`${base}/callback?code=x&state=y`)
  expect(res.status).toBe(400)
  const text = await res.text()
  expect(text).toContain('"oidckit-web-app-tx"')
  expect(text).toMatch(/SameSite/)
  expect(text).toMatch(/Back button/)
})
