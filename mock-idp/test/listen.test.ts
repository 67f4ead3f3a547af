import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { createMockIdp } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'

/** Runs `use` against a fresh mock-idp listening on loopback, and closes it after. */
async function withServer(use: (url: string) => Promise<void>): Promise<void> {
  const http = await createMockIdp().listen({ port: 0 })
  try {
    await use(http.url)
  } finally {
    await http.close()
  }
}

/** One raw HTTP/1.1 exchange, for what `fetch` will not send. */
function raw(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer[] },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, method: options.method, path: options.path, headers: options.headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    for (const chunk of options.body ?? []) req.write(chunk)
    req.end()
  })
}

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

test('over HTTP a malformed body still gets a 400 JSON error', () =>
  withServer(async (url) => {
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  }))

test('AS-17: over HTTP a chunked body past 64 KiB gets 413 and the server keeps answering', () =>
  withServer(async (url) => {
    const chunk = Buffer.alloc(16 * 1024, 'a')
    const res = await raw(url, {
      method: 'POST',
      path: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Array.from({ length: 8 }, () => chunk),
    })
    expect(res.status).toBe(413)
    expect(res.headers.connection).toBe('close')
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' })
    const next = await fetch(`${url}/.well-known/openid-configuration`)
    expect(next.status).toBe(200)
  }))

test('over HTTP a method fetch cannot carry gets a 400 JSON error, not a 5xx', () =>
  withServer(async (url) => {
    const res = await raw(url, { method: 'TRACE', path: '/oauth/token' })
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' })
  }))

test('over HTTP an absolute-form target is served by its path, on the listening origin', () =>
  withServer(async (url) => {
    const res = await raw(url, {
      method: 'GET',
      path: 'http://elsewhere.example/.well-known/openid-configuration',
      headers: { host: 'elsewhere.example' },
    })
    expect(res.status).toBe(200)
    expect((JSON.parse(res.body) as { issuer: string }).issuer).toBe(url)
    const head = await fetch(`${url}/.well-known/jwks`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  }))

test('AS-17: over HTTP a declared length past 64 KiB gets 413 before the body is read', () =>
  withServer(async (url) => {
    const res = await raw(url, {
      method: 'POST',
      path: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(10 * 1024 * 1024),
      },
      body: [Buffer.from('grant_type=client_credentials')],
    })
    expect(res.status).toBe(413)
    expect(res.headers.connection).toBe('close')
  }))
