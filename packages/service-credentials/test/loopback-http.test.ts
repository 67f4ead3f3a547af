import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp, MockIdpServer } from '@oidckit/mock-idp'
import { NetworkError, OAuthError, createTokenSource } from '@oidckit/service-credentials'
import { GENEROUS_TIMEOUT } from '@oidckit/test-utils'

let idp: MockIdp
let server: MockIdpServer

beforeAll(async () => {
  idp = createMockIdp()
  server = await idp.listen({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

const source = (extra = {}) =>
  createTokenSource({
    issuer: server.url,
    clientId: 'service',
    clientSecret: 'service-secret',
    scope: 'api:read api:write',
    timeout: GENEROUS_TIMEOUT,
    retry: { baseDelay: 1, maxDelay: 4 },
    ...extra,
  })

test('gets, caches and single-flights a token from mock-idp over loopback HTTP', async () => {
  idp.clearRequests()
  const s = source()
  const tokens = await Promise.all(Array.from({ length: 100 }, () => s.getTokenSet()))
  expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1)
  expect(tokens[0]?.scope).toBe('api:read api:write')
  expect(await s.getToken()).toBe(tokens[0]?.accessToken)
  expect(idp.requests().filter((entry) => entry.endpoint === 'token')).toHaveLength(1)
})

test('retries an injected 500 over HTTP', async () => {
  idp.injectFault({ endpoint: 'token', kind: 'server_error' })
  await expect(source().getToken()).resolves.toMatch(/^ey/)
})

test('a wrong secret fails over HTTP with OAuthError invalid_client', async () => {
  await expect(source({ clientSecret: 'nope' }).getToken()).rejects.toBeInstanceOf(OAuthError)
})

test('a refused connection is retried, then surfaces as NetworkError', async () => {
  const closed = createMockIdp()
  const gone = await closed.listen({ port: 0 })
  await gone.close()
  const error = await source({ issuer: gone.url, retry: { maxAttempts: 2, baseDelay: 1 } })
    .getToken()
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(NetworkError)
  expect(error).toMatchObject({ code: 'ERR_CONNECTION_FAILED' })
})
