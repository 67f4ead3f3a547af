import { afterEach, describe, expect, test, vi } from 'vitest'
import { Client, DiscoveryError, NetworkError } from '@oidckit/core'
import { createHostileProvider } from './hostile-provider.js'

const uniqueIssuer = () => `https://hostile-${crypto.randomUUID()}.test`

async function discoverWith(route: (request: Request) => Response | Promise<Response>, extra = {}) {
  const idp = await createHostileProvider({ issuer: uniqueIssuer() })
  idp.routes['/.well-known/openid-configuration'] = route
  return Client.discover({ issuer: idp.issuer, clientId: 'app', fetch: idp.fetch, ...extra }).catch(
    (e: unknown) => e,
  )
}

afterEach(() => {
  vi.useRealTimers()
})

describe('issuer', () => {
  test('RP-7: rejects metadata for another host, naming both issuers and the host', async () => {
    const err = await discoverWith(() => Response.json({ issuer: 'https://login.other.test' }))
    expect(err).toBeInstanceOf(DiscoveryError)
    expect(err).toMatchObject({
      code: 'ERR_DISCOVERY_ISSUER_MISMATCH',
      actualIssuer: 'https://login.other.test',
    })
    expect((err as Error).message).toMatch(/https:\/\/login\.other\.test/)
    expect((err as Error).message).toMatch(/different host/)
  })

  test('RP-7: explains an issuer that differs only by a trailing slash', async () => {
    const idp = await createHostileProvider({ issuer: `${uniqueIssuer()}/realms/acme` })
    idp.metadata.issuer = `${idp.issuer}/`
    const err = await Client.discover({
      issuer: idp.issuer,
      clientId: 'app',
      fetch: idp.fetch,
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_DISCOVERY_ISSUER_MISMATCH', expectedIssuer: idp.issuer })
    expect((err as Error).message).toMatch(/only by a trailing slash/)
  })

  test('RP-7: refuses an http issuer on a non-loopback host unless allowInsecure', async () => {
    await expect(
      Client.discover({ issuer: 'http://id.example.com', clientId: 'app' }),
    ).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringMatching(/allowInsecure/),
    })
    const idp = await createHostileProvider({ issuer: 'http://id.example.com' })
    const client = await Client.discover({
      issuer: idp.issuer,
      clientId: 'app',
      fetch: idp.fetch,
      allowInsecure: true,
    })
    expect(client.issuer.identifier).toBe('http://id.example.com')
  })

  test('RP-7: allows http on loopback hosts', async () => {
    for (const issuer of [
      'http://localhost:9400',
      'http://127.0.0.1:9400',
      'http://127.1.2.3',
      'http://[::1]:9400',
    ]) {
      const idp = await createHostileProvider({ issuer })
      const client = await Client.discover({
        issuer,
        clientId: 'app',
        fetch: idp.fetch,
        forceRefresh: true,
      })
      expect(client.issuer.metadata.issuer).toBe(issuer)
    }
  })

  test('RP-7: rejects metadata whose endpoints are http on another host', async () => {
    const idp = await createHostileProvider({ issuer: uniqueIssuer() })
    idp.metadata.token_endpoint = 'http://token.example.com/token'
    await expect(
      Client.discover({ issuer: idp.issuer, clientId: 'app', fetch: idp.fetch }),
    ).rejects.toMatchObject({
      code: 'ERR_INSECURE_ENDPOINT',
    })
  })
})

describe('bad documents', () => {
  test('rejects malformed JSON with NetworkError', async () => {
    const err = await discoverWith(
      () => new Response('{"issuer": ', { headers: { 'content-type': 'application/json' } }),
    )
    expect(err).toBeInstanceOf(NetworkError)
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_NOT_JSON' })
  })

  test('rejects an HTML page, saying it is HTML', async () => {
    const err = await discoverWith(
      () =>
        new Response('<html><body>Sign in</body></html>', {
          headers: { 'content-type': 'text/html' },
        }),
    )
    expect(err).toMatchObject({
      name: 'NetworkError',
      code: 'ERR_RESPONSE_NOT_JSON',
      message: expect.stringMatching(/HTML/),
    })
  })

  test('rejects a JSON document that is not an object', async () => {
    const err = await discoverWith(() => Response.json(['issuer']))
    expect(err).toMatchObject({ name: 'DiscoveryError', code: 'ERR_DISCOVERY_INVALID' })
  })

  test('rejects a document without an issuer', async () => {
    const err = await discoverWith(() => Response.json({ token_endpoint: 'https://x.test/token' }))
    expect(err).toMatchObject({ name: 'DiscoveryError', code: 'ERR_DISCOVERY_INVALID' })
  })

  test('rejects a 5xx with NetworkError ERR_SERVER_ERROR', async () => {
    const err = await discoverWith(() => new Response('upstream failed', { status: 503 }))
    expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_SERVER_ERROR', status: 503 })
  })

  test('rejects a 404 with NetworkError', async () => {
    const err = await discoverWith(() => Response.json({ nope: true }, { status: 404 }))
    expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_UNEXPECTED_STATUS' })
  })

  test('RP-10: does not follow a redirect', async () => {
    const err = await discoverWith(
      () => new Response(null, { status: 302, headers: { location: 'https://evil.test/' } }),
    )
    expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_UNEXPECTED_STATUS', status: 302 })
  })

  test('RP-10: stops reading a 5 MB body at the size cap', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    let pulled = 0
    const err = await discoverWith(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              pulled++
              if (pulled > 80) controller.close()
              else controller.enqueue(chunk)
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        ),
    )
    expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_RESPONSE_TOO_LARGE' })
    expect(pulled * chunk.byteLength).toBeLessThan(2 * 1024 * 1024)
  })

  test('RP-10: refuses a body whose declared length exceeds the cap without reading it', async () => {
    const err = await discoverWith(
      () =>
        new Response('{}', {
          headers: {
            'content-type': 'application/json',
            'content-length': String(5 * 1024 * 1024),
          },
        }),
    )
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' })
  })

  test('RP-10: honours maxResponseBytes', async () => {
    const idp = await createHostileProvider({ issuer: uniqueIssuer() })
    await expect(
      Client.discover({
        issuer: idp.issuer,
        clientId: 'app',
        fetch: idp.fetch,
        maxResponseBytes: 64,
      }),
    ).rejects.toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' })
  })

  test('rejects a body that breaks off mid-stream', async () => {
    const err = await discoverWith(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"issuer":"https://'))
              controller.error(new TypeError('terminated'))
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        ),
    )
    expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_BODY_READ_FAILED' })
  })

  test('RP-10: times out a server that never answers, after the default 10 s', async () => {
    vi.useFakeTimers()
    const pending = discoverWith(() => new Promise<Response>(() => undefined))
    await vi.advanceTimersByTimeAsync(10_000)
    const err = await pending
    expect(err).toMatchObject({ name: 'NetworkError', code: 'ERR_TIMEOUT' })
  })

  test('RP-10: times out a body that stalls, with the timeout option', async () => {
    vi.useFakeTimers()
    const pending = discoverWith(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{'))
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        ),
      { timeout: 500 },
    )
    await vi.advanceTimersByTimeAsync(500)
    expect(await pending).toMatchObject({ code: 'ERR_TIMEOUT' })
  })

  test('turns a connection failure into NetworkError', async () => {
    const failing: typeof fetch = () =>
      Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))
    await expect(
      Client.discover({ issuer: uniqueIssuer(), clientId: 'app', fetch: failing }),
    ).rejects.toMatchObject({
      name: 'NetworkError',
      code: 'ERR_CONNECTION_FAILED',
      message: expect.stringMatching(/ECONNREFUSED/),
    })
  })
})

describe('cache', () => {
  test('reuses a discovered document until the TTL, and refetches on forceRefresh', async () => {
    const idp = await createHostileProvider({ issuer: uniqueIssuer() })
    let now = 0
    const options = {
      issuer: idp.issuer,
      clientId: 'app',
      fetch: idp.fetch,
      clock: () => now,
      cacheTtl: 60_000,
    }
    const a = await Client.discover(options)
    const b = await Client.discover({ ...options, clientId: 'other' })
    expect(b.issuer.metadata).toBe(a.issuer.metadata)
    expect(idp.hits['/.well-known/openid-configuration']).toBe(1)
    await Client.discover({ ...options, forceRefresh: true })
    expect(idp.hits['/.well-known/openid-configuration']).toBe(2)
    now = 61_000
    await Client.discover(options)
    expect(idp.hits['/.well-known/openid-configuration']).toBe(3)
  })

  test('shares one in-flight discovery and does not cache a failure', async () => {
    const idp = await createHostileProvider({ issuer: uniqueIssuer() })
    const options = { issuer: idp.issuer, clientId: 'app', fetch: idp.fetch }
    idp.routes['/.well-known/openid-configuration'] = () => new Response('down', { status: 500 })
    await expect(Client.discover(options)).rejects.toMatchObject({ code: 'ERR_SERVER_ERROR' })
    delete idp.routes['/.well-known/openid-configuration']
    await Promise.all([Client.discover(options), Client.discover(options)])
    expect(idp.hits['/.well-known/openid-configuration']).toBe(2)
  })
})

test('fromMetadata builds a client without a request and checks its endpoints', async () => {
  const client = Client.fromMetadata(
    { issuer: 'https://id.test', token_endpoint: 'https://id.test/token' },
    { clientId: 'svc', clientSecret: 's' },
  )
  expect(client.issuer.identifier).toBe('https://id.test')
  expect(() =>
    Client.fromMetadata(
      { issuer: 'https://id.test', token_endpoint: 'http://id.test/token' },
      { clientId: 'svc' },
    ),
  ).toThrow(expect.objectContaining({ code: 'ERR_INSECURE_ENDPOINT' }))
})

test('rejects bad options with coded TypeErrors', async () => {
  await expect(Client.discover({ issuer: 'https://id.test', clientId: '' })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
  })
  await expect(Client.discover({ issuer: 42 as never, clientId: 'a' })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_TYPE',
  })
  await expect(
    Client.discover({ issuer: 'https://id.test', clientId: 'a', idTokenSigningAlg: 'HS256' }),
  ).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
  })
})
