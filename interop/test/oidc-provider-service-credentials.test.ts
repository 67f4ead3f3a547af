import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client } from '@oidckit/core'
import { createTokenVerifier, nodeBearerAuth } from '@oidckit/node-server'
import { createTokenSource, OAuthError } from '@oidckit/service-credentials'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  API,
  OPAQUE_API,
  SPECIAL_SECRET,
  startOidcProvider,
  type RunningProvider,
} from '../src/oidc-provider'

let op: RunningProvider
beforeAll(async () => {
  op = await startOidcProvider()
})
afterAll(() => op?.close())

/** The global fetch, counting the requests that reach oidc-provider's token endpoint. */
function countingFetch() {
  const counter = {
    tokenRequests: 0,
    fetch: (request: Request) => {
      if (new URL(request.url).pathname === '/token') counter.tokenRequests++
      return fetch(request)
    },
  }
  return counter
}

const options = {
  clientId: 'service',
  clientSecret: 'service-secret-0123456789',
  scope: 'api:read',
  resource: API,
}

test('RP-18: many concurrent getToken() calls make one request to oidc-provider and share its token', async () => {
  const counter = countingFetch()
  const source = createTokenSource({ issuer: op.issuer, ...options, fetch: counter.fetch })
  const tokens = await Promise.all(Array.from({ length: 200 }, () => source.getToken()))
  expect(new Set(tokens).size).toBe(1)
  expect(counter.tokenRequests).toBe(1)
  // Cached: later calls make no request either.
  expect(await source.getToken()).toBe(tokens[0])
  expect(counter.tokenRequests).toBe(1)
  const { claims, scopes } = await createTokenVerifier({ issuer: op.issuer, audience: API }).verify(
    tokens[0]!,
  )
  expect(claims).toMatchObject({ client_id: 'service', aud: API })
  expect(scopes).toEqual(['api:read'])
  // Another scope is another cache entry, fetched once.
  const write = await source.getTokenSet({ scope: 'api:write' })
  expect(write.scope).toBe('api:write')
  expect(counter.tokenRequests).toBe(2)
})

/** A loopback API guarded by node-server's nodeBearerAuth; answers with the caller's client_id. */
async function guardedApi(guard: ReturnType<typeof nodeBearerAuth>) {
  const server: Server = createServer(async (req, res) => {
    const auth = await guard(req, res)
    if (!auth) return
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ caller: auth.claims.client_id }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data`,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

test('source.fetch calls an API guarded by node-server with a token from oidc-provider', async () => {
  const api = await guardedApi(
    nodeBearerAuth({ issuer: op.issuer, audience: API }, { scopes: 'api:read' }),
  )
  try {
    expect((await fetch(api.url)).status).toBe(401)
    const source = createTokenSource({ issuer: op.issuer, ...options })
    const res = await source.fetch(api.url)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ caller: 'service' })
  } finally {
    await api.close()
  }
})

test('oidc-provider narrows an unknown scope (RFC 6749 §3.3); getTokenSet() shows what was granted', async () => {
  const source = createTokenSource({ issuer: op.issuer, ...options })
  const narrowed = await source.getTokenSet({ scope: 'admin api:read' })
  expect(narrowed.scope).toBe('api:read')
  const verifier = createTokenVerifier({
    issuer: op.issuer,
    audience: API,
    requiredScopes: 'admin',
  })
  await expect(verifier.verify(narrowed.accessToken)).rejects.toMatchObject({ claim: 'scope' })
})

test("RP-18: a wrong secret is oidc-provider's invalid_client at once, without retries or the secret in the error", async () => {
  const counter = countingFetch()
  const bad = createTokenSource({
    issuer: op.issuer,
    ...options,
    clientSecret: 'wrong-secret',
    fetch: counter.fetch,
  })
  const err = await bad.getToken().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect((err as OAuthError).error).toBe('invalid_client')
  expect((err as OAuthError).status).toBe(401)
  expect(counter.tokenRequests).toBe(1)
  expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('wrong-secret')
})

test('C-11, RP-18: a private_key_jwt token source gets its token from oidc-provider', async () => {
  const source = createTokenSource({
    issuer: op.issuer,
    clientId: 'signed-service',
    privateKey: op.serviceKey,
    scope: 'api:read',
    resource: API,
  })
  const [a, b] = await Promise.all([source.getToken(), source.getToken()])
  expect(a).toBe(b)
  const { claims } = await createTokenVerifier({ issuer: op.issuer, audience: API }).verify(a!)
  expect(claims).toMatchObject({ client_id: 'signed-service' })
})

test('RFC 6749 §2.3.1: a client id and secret with :, +, %, & and spaces authenticate with Basic', async () => {
  const source = createTokenSource({
    issuer: op.issuer,
    clientId: 'service:special',
    clientSecret: SPECIAL_SECRET,
    scope: 'api:read',
    resource: API,
  })
  const { claims } = await createTokenVerifier({ issuer: op.issuer, audience: API }).verify(
    await source.getToken(),
  )
  expect(claims).toMatchObject({ client_id: 'service:special' })
})

test('source.fetch retries once with a new token when the API says invalid_token (revoked at oidc-provider)', async () => {
  const introspection = {
    clientId: 'web-app',
    clientSecret: 'web-app-secret-0123456789',
    cacheTtl: 0,
  }
  const api = await guardedApi(
    nodeBearerAuth({ issuer: op.issuer, audience: OPAQUE_API, introspection }),
  )
  try {
    const counter = countingFetch()
    const events: string[] = []
    const source = createTokenSource({
      issuer: op.issuer,
      ...options,
      resource: OPAQUE_API,
      fetch: counter.fetch,
      onEvent: (event) => events.push(event.type),
    })
    const first = await source.fetch(api.url)
    expect(first.status).toBe(200)
    const revoked = await source.getToken()
    const revoker = await Client.discover({
      issuer: op.issuer,
      clientId: 'service',
      clientSecret: 'service-secret-0123456789',
    })
    await revoker.revoke(revoked)
    const second = await source.fetch(api.url)
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual({ caller: 'service' })
    expect(await source.getToken()).not.toBe(revoked)
    expect(counter.tokenRequests).toBe(2)
    expect(events).toContain('token_rejected')
  } finally {
    await api.close()
  }
})
