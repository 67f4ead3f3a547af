import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { get, pkce } from './helpers.js'

function authorize(params: Record<string, string>): string {
  const query = new URLSearchParams({
    response_type: 'code',
    scope: 'openid',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...params,
  })
  return `/oauth/authorize?${query}`
}

/** The error page the authorization endpoint answers, after checking it redirects nowhere. */
async function errorPage(params: Record<string, string>): Promise<string> {
  const res = await get(createMockIdp(), authorize(params))
  expect(res.status).toBe(400)
  expect(res.headers.get('location')).toBeNull()
  return res.text()
}

test('S-2: an unknown client_id gets a page showing the id received and the registered ones', async () => {
  const html = await errorPage({ client_id: 'sap', redirect_uri: 'http://x/cb' })
  expect(html).toContain('Unknown client_id.')
  expect(html).toContain('client_id received: <code>sap</code>')
  expect(html).toContain('<li><code>spa</code></li>')
  expect(html).toContain('<li><code>web-app</code></li>')
  // Only clients that can use the code flow are listed.
  expect(html).not.toContain('<li><code>service</code></li>')
})

test('S-2: an unregistered redirect_uri gets a page showing the URI received and the registered ones', async () => {
  const html = await errorPage({
    client_id: 'spa',
    redirect_uri: 'http://localhost:5173/callback/',
  })
  expect(html).toContain('redirect_uri received: <code>http://localhost:5173/callback/</code>')
  expect(html).toContain('<li><code>http://localhost:5173/callback</code></li>')
  expect(html).toContain('<li><code>http://127.0.0.1:5173/callback</code></li>')
})

test('S-2: a missing redirect_uri, when several are registered, lists them', async () => {
  const html = await errorPage({ client_id: 'spa' })
  expect(html).toContain('redirect_uri is required')
  expect(html).toContain('redirect_uri received: <em>nothing</em>')
  expect(html).toContain('<li><code>http://localhost:5173/callback</code></li>')
})

test('S-2: hostile values on the error pages are escaped, and long ones cut', async () => {
  const evil = '<script>alert(1)</script>"\'&'
  const wrongClient = await errorPage({ client_id: evil })
  expect(wrongClient).not.toContain('<script>')
  expect(wrongClient).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;')
  const wrongUri = await errorPage({ client_id: 'spa', redirect_uri: `http://a/${evil}` })
  expect(wrongUri).not.toContain('<script>')
  expect(wrongUri).toContain('&lt;script&gt;')
  const long = await errorPage({ client_id: 'spa', redirect_uri: `http://a/${'x'.repeat(2000)}` })
  expect(long).toContain(`${'x'.repeat(100)}…</code>`)
  expect(long).not.toContain('x'.repeat(400))
})
