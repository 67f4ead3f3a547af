import { connect, type Socket } from 'node:net'
import { createMockIdp, type MockIdpServer } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'

// Bounds are generous on purpose: each case only asserts that the server ends the connection
// long before Node's own defaults would (minutes), never how fast it does so.
const CUT_OFF_WITHIN_MS = 15_000

/** A raw loopback connection that records what it receives and when it closes. */
function open(
  server: MockIdpServer,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = ''
    const socket = connect(server.port, '127.0.0.1')
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (data += chunk))
    socket.on('error', () => {}) // a reset after the server cuts the connection is expected
    const closed = new Promise<void>((done) => socket.once('close', () => done()))
    socket.once('connect', () => resolve({ socket, received: () => data, closed }))
    socket.once('error', reject)
  })
}

/** Writes `chunk` every `ms` until the socket closes; returns a stopper. */
function drip(socket: Socket, chunk: string, ms: number): () => void {
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(chunk)
  }, ms)
  socket.once('close', () => clearInterval(timer))
  return () => clearInterval(timer)
}

/** Resolves true when `closed` settles within the bound, false otherwise. */
async function closesWithin(closed: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([closed.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}

async function stillAnswers(server: MockIdpServer): Promise<void> {
  const res = await fetch(`${server.url}/.well-known/openid-configuration`, {
    headers: { connection: 'close' },
  })
  expect(res.status).toBe(200)
}

test('AS-17: a body dripped a byte at a time is cut off at requestTimeout, and the server keeps answering', async () => {
  const server = await createMockIdp().listen({ port: 0, requestTimeout: 300, headersTimeout: 300 })
  try {
    const { socket, received, closed } = await open(server)
    socket.write(
      'POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n',
    )
    const stop = drip(socket, 'a', 50)
    const cut = await closesWithin(closed, CUT_OFF_WITHIN_MS)
    stop()
    socket.destroy()
    expect(cut, 'the server should end a request whose body never finishes').toBe(true)
    // Node answers 408 when it can; a client that is still writing may see only the close.
    if (received() !== '') expect(received()).toMatch(/^HTTP\/1\.1 408 /)
    await stillAnswers(server)
  } finally {
    await server.close()
  }
}, 30_000)

test('AS-17: headers sent a line at a time are cut off at headersTimeout', async () => {
  const server = await createMockIdp().listen({
    port: 0,
    requestTimeout: 5_000,
    headersTimeout: 300,
  })
  try {
    const { socket, closed } = await open(server)
    socket.write('GET /.well-known/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const stop = drip(socket, 'X-Slow: a\r\n', 50)
    const cut = await closesWithin(closed, CUT_OFF_WITHIN_MS)
    stop()
    socket.destroy()
    expect(cut, 'the server should end a request whose headers never finish').toBe(true)
    await stillAnswers(server)
  } finally {
    await server.close()
  }
}, 30_000)

test('AS-17: a connection past maxConnections is closed at once and served again once others go', async () => {
  const server = await createMockIdp().listen({
    port: 0,
    maxConnections: 2,
    keepAliveTimeout: 60_000,
  })
  try {
    const held = [await open(server), await open(server)]
    // One full exchange on each, so the server has surely counted both.
    for (const { socket, received } of held) {
      socket.write('GET /.well-known/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      await expect.poll(received, { timeout: CUT_OFF_WITHIN_MS }).toMatch(/^HTTP\/1\.1 200 /)
    }
    const extra = await open(server)
    extra.socket.write('GET /.well-known/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    expect(await closesWithin(extra.closed, CUT_OFF_WITHIN_MS)).toBe(true)
    expect(extra.received()).toBe('')
    for (const { socket, closed } of held) {
      socket.destroy()
      await closed
    }
    await expect
      .poll(
        async () => {
          try {
            const res = await fetch(`${server.url}/.well-known/jwks`, {
              headers: { connection: 'close' },
            })
            return res.status
          } catch {
            return 0
          }
        },
        { timeout: CUT_OFF_WITHIN_MS, interval: 50 },
      )
      .toBe(200)
  } finally {
    await server.close()
  }
}, 30_000)
