import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { Client } from '@oidckit/core'

// A real HTTP server that breaks the connection mid-body: the truncation a client meets when a
// provider or a proxy dies while answering.
const server = createServer((request, response) => {
  if (request.url?.startsWith('/truncated/')) {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    response.write('{"issuer":"http://127.0.0.1')
    setTimeout(() => response.socket?.destroy(), 10)
    return
  }
  response.writeHead(404).end()
})
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

test('RP-10: a body cut off before its Content-Length over HTTP is a NetworkError', async () => {
  await expect(
    Client.discover({ issuer: `${base}/truncated`, clientId: 'app' }),
  ).rejects.toMatchObject({
    name: 'NetworkError',
    code: 'ERR_BODY_READ_FAILED',
  })
})

test('a connection refused over HTTP is a NetworkError', async () => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  await expect(
    Client.discover({ issuer: `http://127.0.0.1:${port}`, clientId: 'app' }),
  ).rejects.toMatchObject({
    name: 'NetworkError',
    code: 'ERR_CONNECTION_FAILED',
  })
})
