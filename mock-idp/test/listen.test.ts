import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'

test('listen on port 0 serves over loopback HTTP and takes the listening URL as issuer', async () => {
  const local = createMockIdp({ signingAlg: 'ES256' })
  const http = await local.listen({ port: 0 })
  try {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(local.issuer).toBe(http.url)
    const doc = (await (
      await fetch(`${http.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, string>
    expect(doc.issuer).toBe(http.url)
    const tokens = await local.issueTokens({ user: 'alice', clientId: 'spa' })
    const info = await fetch(`${http.url}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(((await info.json()) as { sub: string }).sub).toBe('user-alice')
  } finally {
    await http.close()
  }
})

test('over HTTP a malformed body still gets a 400 JSON error', async () => {
  const local = createMockIdp()
  const http = await local.listen({ port: 0 })
  try {
    const res = await fetch(`${http.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  } finally {
    await http.close()
  }
})
