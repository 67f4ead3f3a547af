import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Serves a web-standard handler on 127.0.0.1 and a free port, for the over-HTTP cases. */
export async function listenLoopback(
  handler: (request: Request) => Promise<Response>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => void bridge(handler, req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // A silent answer holds its connection open: end it with the server.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The Node side of `listen()`: IncomingMessage to Request, Response back to the socket. */
async function bridge(
  handler: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const controller = new AbortController()
  res.on('close', () => controller.abort(new Error('client went away')))
  try {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value)
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    }
    const method = req.method ?? 'GET'
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
      signal: controller.signal,
    })
    const response = await handler(request)
    res.writeHead(response.status, Object.fromEntries(response.headers))
    if (!response.body) return void res.end()
    const reader = response.body.getReader()
    for (;;) {
      if (res.destroyed) return void (await reader.cancel().catch(() => undefined))
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done)
            res.off('close', done)
            resolve()
          }
          res.on('drain', done)
          res.on('close', done)
        })
      }
    }
    res.end()
  } catch {
    if (!res.headersSent && !res.destroyed) res.writeHead(502).end()
    else res.destroy()
  }
}
