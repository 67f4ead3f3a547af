import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdpServer } from '@oidckit/mock-idp'
import { OAuthError } from '@oidckit/service-credentials'
import { createApi } from 'example-express-api/app'
import { createWorker } from '../src/worker.js'

const idp = createMockIdp()
let idpServer: MockIdpServer
let api: Server
let apiUrl: string

beforeAll(async () => {
  idpServer = await idp.listen({ port: 0 })
  api = createApi({ issuer: idpServer.url }).listen(0, '127.0.0.1')
  await new Promise((resolve) => api.once('listening', resolve))
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => api.close(resolve))
  await idpServer.close()
})

test('calls the API with a client-credentials token from the service client', async () => {
  const lines: string[] = []
  const worker = createWorker({ issuer: idpServer.url, apiUrl, log: (line) => lines.push(line) })
  const result = await worker.callOnce()
  expect(result.status).toBe(200)
  expect(result.body).toMatchObject({ owner: 'service', items: expect.any(Array) })
  await worker.callOnce()
  expect(idp.requests().filter((entry) => entry.endpoint === 'token')).toHaveLength(1)
  const token = await worker.source.getToken()
  expect(lines.join('\n')).not.toContain(token)
})

test('logs one line per call, never the token', async () => {
  const lines: string[] = []
  const worker = createWorker({ issuer: idpServer.url, apiUrl, log: (line) => lines.push(line) })
  const stop = worker.start(60_000)
  await expect.poll(() => lines.some((line) => line.startsWith('GET /api/data'))).toBe(true)
  stop()
  expect(lines.find((line) => line.startsWith('GET'))).toBe('GET /api/data -> 200 2 items')
  expect(lines.join('\n')).not.toContain(await worker.source.getToken())
})

test('a wrong secret fails with OAuthError invalid_client, and the API is never called', async () => {
  const worker = createWorker({
    issuer: idpServer.url,
    apiUrl: 'http://127.0.0.1:9', // nothing listens here: reaching it would fail differently
    clientSecret: 'wrong-secret',
    log: () => undefined,
  })
  const error = await worker.callOnce().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(OAuthError)
  expect(error).toMatchObject({ error: 'invalid_client', status: 401 })
  expect(String(error)).not.toContain('wrong-secret')
})

test('the worker loop logs a failure as one line and keeps running', async () => {
  const lines: string[] = []
  const worker = createWorker({
    issuer: idpServer.url,
    apiUrl,
    clientSecret: 'wrong-secret',
    log: (line) => lines.push(line),
  })
  const stop = worker.start(60_000)
  await expect.poll(() => lines.some((line) => line.includes('failed: OAuthError'))).toBe(true)
  stop()
  expect(lines.join('\n')).not.toContain('wrong-secret')
})
