import { createServer } from 'node:http'
import { connect } from 'node:net'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import {
  bearerAuth,
  createTokenVerifier,
  nodeBearerAuth,
  requireAuth,
  requireScopes,
} from '@oidckit/node-server'

const AUDIENCE = 'http://localhost:4000'
const idp = createMockIdp()
let issuer: string
let closeIdp: () => Promise<void>

beforeAll(async () => {
  const server = await idp.listen({ port: 0 })
  issuer = server.url
  closeIdp = () => server.close()
})
afterAll(() => closeIdp())
afterEach(() => {
  vi.useRealTimers()
})

async function serve(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Sends a raw HTTP/1.1 request, so a header can repeat. */
function rawGet(url: string, headerLines: string[]): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(
        [
          `GET ${pathname} HTTP/1.1`,
          `host: ${hostname}`,
          'connection: close',
          ...headerLines,
          '',
          '',
        ].join('\r\n'),
      )
    })
    let data = ''
    socket.on('data', (chunk) => (data += chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n')
      resolve({ status: Number(head.split(' ')[1]), body })
    })
  })
}

describe('requireAuth (Express) against mock-idp over loopback HTTP', () => {
  let app: { url: string; close: () => Promise<void> }
  beforeAll(async () => {
    const verifier = createTokenVerifier({ issuer, audience: AUDIENCE })
    const api = express()
    api.get('/me', requireAuth(verifier), (req, res) => {
      res.json({ sub: req.auth!.claims.sub, scopes: req.auth!.scopes })
    })
    api.get('/data', requireAuth(verifier), requireScopes('api:read'), (_req, res) => {
      res.json({ ok: true })
    })
    api.get('/options', requireAuth({ issuer, audience: AUDIENCE }), (req, res) => {
      res.json({ sub: req.auth!.claims.sub })
    })
    api.get('/misordered', requireScopes('api:read'), (_req, res) => res.json({}))
    api.use(
      (
        _err: unknown,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res.status(500).json({ error: 'server_error' })
      },
    )
    app = await serve(createServer(api))
  })
  afterAll(() => app.close())

  test('sets req.auth for a token minted by mock-idp', async () => {
    const tokens = await idp.issueTokens({
      user: 'alice',
      clientId: 'spa',
      scope: 'openid profile',
    })
    const res = await fetch(`${app.url}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sub: 'user-alice', scopes: ['openid', 'profile'] })
  })

  test('builds its verifier from options', async () => {
    const tokens = await idp.issueTokens({ user: 'bob', clientId: 'spa' })
    const res = await fetch(`${app.url}/options`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(await res.json()).toEqual({ sub: 'user-bob' })
  })

  test('answers 403 insufficient_scope from requireScopes', async () => {
    const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    const res = await fetch(`${app.url}/data`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="The access token lacks a required scope.", scope="api:read"',
    )
  })

  test('lets a client-credentials token with api:read through requireScopes', async () => {
    const tokens = await idp.issueTokens({ clientId: 'service', scope: 'api:read' })
    const res = await fetch(`${app.url}/data`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(res.status).toBe(200)
  })

  test('RP-15: answers two Authorization headers with 400 invalid_request', async () => {
    const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    const res = await rawGet(`${app.url}/me`, [
      `authorization: Bearer ${tokens.access_token}`,
      `authorization: Bearer ${tokens.access_token}`,
    ])
    expect(res).toMatchObject({ status: 400 })
    expect(JSON.parse(res.body).error).toBe('invalid_request')
  })

  test('RP-14: refuses a mock-idp ID token', async () => {
    const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid' })
    const res = await fetch(`${app.url}/me`, {
      headers: { authorization: `Bearer ${tokens.id_token}` },
    })
    expect(res.status).toBe(401)
  })

  test('refuses a token once mock-idp says it expired', async () => {
    idp.clock.set(Math.floor(Date.now() / 1000) - 7200)
    const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
    idp.clock.reset()
    const res = await fetch(`${app.url}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(res.status).toBe(401)
    expect((await res.json()).error_description).toBe('The access token expired.')
  })

  test('passes a misordered requireScopes to the Express error handler', async () => {
    const res = await fetch(`${app.url}/misordered`)
    expect(res.status).toBe(500)
  })
})

test('follows a mock-idp key rotation with one JWKS refetch', async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  let jwksRequests = 0
  const verifier = createTokenVerifier({
    issuer: idp.issuer,
    audience: AUDIENCE,
    fetch: (request) => {
      if (request.url.endsWith('/.well-known/jwks')) jwksRequests += 1
      return idp.fetch(request)
    },
  })
  const before = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await verifier.verify(before.access_token)
  await idp.rotateKeys()
  vi.setSystemTime(Date.now() + 61_000)
  const after = await idp.issueTokens({ user: 'alice', clientId: 'spa' })
  await expect(verifier.verify(after.access_token)).resolves.toBeDefined()
  await expect(verifier.verify(before.access_token)).resolves.toBeDefined()
  expect(jwksRequests).toBe(2)
})

test('nodeBearerAuth guards a plain node:http server', async () => {
  const guard = nodeBearerAuth({ issuer, audience: AUDIENCE }, { scopes: 'profile' })
  const server = await serve(
    createServer(async (req, res) => {
      const auth = await guard(req, res)
      if (!auth) return
      res.end(auth.claims.sub)
    }),
  )
  try {
    const tokens = await idp.issueTokens({
      user: 'alice',
      clientId: 'spa',
      scope: 'openid profile',
    })
    const ok = await fetch(server.url, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(await ok.text()).toBe('user-alice')
    const denied = await fetch(server.url, { headers: { authorization: 'Basic eDp5' } })
    expect(denied.status).toBe(400)
  } finally {
    await server.close()
  }
})

describe('bearerAuth (web-standard)', () => {
  let guard: ReturnType<typeof bearerAuth>
  beforeAll(() => {
    guard = bearerAuth(
      { issuer: idp.issuer, audience: AUDIENCE, fetch: idp.fetch },
      { scopes: ['profile'] },
    )
  })

  test('resolves to the AuthResult for a valid token', async () => {
    const tokens = await idp.issueTokens({
      user: 'alice',
      clientId: 'spa',
      scope: 'openid profile',
    })
    const result = await guard(
      new Request('http://api.test/', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
    )
    expect(result).not.toBeInstanceOf(Response)
    expect((result as { claims: { sub: string } }).claims.sub).toBe('user-alice')
  })

  test('resolves to a 401 Response for a missing token', async () => {
    const result = await guard(new Request('http://api.test/'))
    expect(result).toBeInstanceOf(Response)
    const response = result as Response
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(response.headers.get('content-type')).toContain('application/json')
  })

  test('resolves to a 403 Response for a token without the route scope', async () => {
    const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid' })
    const result = (await guard(
      new Request('http://api.test/', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
    )) as Response
    expect(result.status).toBe(403)
  })
})

describe('RP-22: introspection fallback', () => {
  function introspectingVerifier(opaque: Map<string, string>, calls: { n: number }) {
    // mock-idp issues JWT access tokens; an opaque alias stands for one at its real endpoint.
    const fetch = async (request: Request) => {
      if (new URL(request.url).pathname === '/oauth/introspect') {
        calls.n += 1
        const body = new URLSearchParams(await request.text())
        const alias = opaque.get(body.get('token')!)
        if (alias) body.set('token', alias)
        return idp.fetch(
          new Request(request.url, { method: 'POST', headers: request.headers, body }),
        )
      }
      return idp.fetch(request)
    }
    return createTokenVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      fetch,
      introspection: { clientId: 'web-app', clientSecret: 'web-app-secret', cacheTtl: 30_000 },
    })
  }

  test('accepts an active opaque token and caches the answer', async () => {
    const tokens = await idp.issueTokens({
      user: 'alice',
      clientId: 'web-app',
      scope: 'openid profile',
    })
    const calls = { n: 0 }
    const verifier = introspectingVerifier(new Map([['opaque-1', tokens.access_token]]), calls)
    const result = await verifier.verify('opaque-1')
    expect(result.claims.sub).toBe('user-alice')
    expect(result.scopes).toContain('profile')
    await verifier.verify('opaque-1')
    expect(calls.n).toBe(1)
  })

  test('rejects an inactive token', async () => {
    const calls = { n: 0 }
    const verifier = introspectingVerifier(new Map(), calls)
    await expect(verifier.verify('opaque-unknown')).rejects.toMatchObject({ claim: 'active' })
  })

  test('rejects a refresh token presented as an access token', async () => {
    const tokens = await idp.issueTokens({
      user: 'alice',
      clientId: 'web-app',
      scope: 'openid offline_access',
    })
    const verifier = introspectingVerifier(new Map(), { n: 0 })
    await expect(verifier.verify(tokens.refresh_token!)).rejects.toMatchObject({
      name: 'TokenValidationError',
    })
  })

  test('does not send JWTs to introspection', async () => {
    const calls = { n: 0 }
    const verifier = introspectingVerifier(new Map(), calls)
    await expect(verifier.verify('a.b.c')).rejects.toMatchObject({ code: 'ERR_JWT_INVALID' })
    expect(calls.n).toBe(0)
  })

  test('rejects opaque tokens when introspection is off', async () => {
    const verifier = createTokenVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      fetch: idp.fetch,
    })
    await expect(verifier.verify('opaque-1')).rejects.toMatchObject({ code: 'ERR_JWT_INVALID' })
  })
})
