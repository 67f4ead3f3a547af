import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MAX_BODY_BYTES } from './internal/request-body.js'

/**
 * A running HTTP server: `url` is where it answers (`http://host:port`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @example
 * const server = await idp.listen({ port: 0 })
 * await fetch(`${server.url}/.well-known/openid-configuration`)
 * await server.close()
 */
export interface MockIdpServer {
  url: string
  port: number
  close(): Promise<void>
}

/**
 * Where to listen, and how long a client may hold a connection (AS-17). `port: 0` picks a free
 * port; the host defaults to 127.0.0.1 (loopback only). Times are in milliseconds.
 *
 * @example
 * const server = await idp.listen({ port: 0, requestTimeout: 5_000, maxConnections: 64 })
 */
export interface ListenOptions {
  port?: number
  host?: string
  /** The whole request, body included, must arrive within this; default 30 000. Then 408. */
  requestTimeout?: number
  /** The request line and headers must arrive within this; default 10 000 (at most `requestTimeout`). */
  headersTimeout?: number
  /** An idle keep-alive connection closes after this; default 5 000. */
  keepAliveTimeout?: number
  /** Connections open at once; a connection past it is closed at once. Default 1 024. */
  maxConnections?: number
}

const DEFAULT_REQUEST_TIMEOUT = 30_000
const DEFAULT_HEADERS_TIMEOUT = 10_000
const DEFAULT_KEEP_ALIVE_TIMEOUT = 5_000
const DEFAULT_MAX_CONNECTIONS = 1024

/**
 * The whole server: a request and, through the listener, the caller's address and the body it
 * has read (`null`: too large); without one, the request's own body stream is read on need.
 */
export type RequestHandler = (
  request: Request,
  remoteAddress: string | undefined,
  body?: string | null,
) => Promise<Response>

const decoder = new TextDecoder()

/**
 * Reads a body of at most {@link MAX_BODY_BYTES} bytes as text; `undefined` for a longer one,
 * whose rest is dropped as it arrives, so nothing large is ever buffered.
 */
function readIncoming(incoming: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.byteLength
      if (size <= MAX_BODY_BYTES) return
      incoming.off('data', onData)
      incoming.resume()
      resolve(undefined)
    }
    incoming.on('data', onData)
    incoming.once('end', () => resolve(decoder.decode(Buffer.concat(chunks, size))))
    incoming.once('error', reject)
    incoming.once('close', () => {
      if (!incoming.complete) reject(new Error('the client closed the request'))
    })
  })
}

const pathOf = (url: URL) => url.pathname + url.search

/**
 * The web `Request` for a Node request. Its URL is on the server's own origin, never the Host
 * header's. Its body is read here and handed to the endpoints as text, beside the request (no
 * web stream is made for it): `null` when it is too long; a body whose declared length is
 * already too large is not read at all. `cut`: the body was refused, so the connection closes
 * after the answer rather than read the rest.
 */
async function toRequest(
  incoming: IncomingMessage,
  origin: string,
): Promise<{ request: Request; body: string | null | undefined; cut: boolean }> {
  const method = incoming.method ?? 'GET'
  const headers = new Headers()
  const raw = incoming.rawHeaders
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!)
  const path = incoming.url ?? '/'
  // RFC 9112 §3.2.2: absolute-form is accepted, but only its path and query are kept.
  const url = origin + (path.startsWith('/') ? path : pathOf(new URL(path)))
  const request = new Request(url, { method, headers })
  if (method === 'GET' || method === 'HEAD') return { request, body: undefined, cut: false }
  if (Number(incoming.headers['content-length'] ?? '0') > MAX_BODY_BYTES) {
    return { request, body: undefined, cut: true }
  }
  const text = await readIncoming(incoming)
  return { request, body: text ?? null, cut: text === undefined }
}

async function writeResponse(
  res: ServerResponse,
  response: Response,
  method: string,
  close: boolean,
): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (close) headers.connection = 'close'
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer())
  if (body && method !== 'HEAD') headers['content-length'] = String(body.byteLength)
  res.writeHead(response.status, headers)
  res.end(method === 'HEAD' ? undefined : body)
}

function plainError(res: ServerResponse, status: number, error: string, description: string) {
  if (res.headersSent) return void res.destroy()
  const body = JSON.stringify({ error, error_description: description })
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
  res.end(body)
}

/**
 * Serves a fetch handler over `node:http`. Every body mock-idp sends is small, so a response is
 * buffered and written at once; every body it takes is at most {@link MAX_BODY_BYTES}.
 */
export async function serveHandler(
  handler: RequestHandler,
  options: ListenOptions = {},
): Promise<MockIdpServer> {
  const host = options.host ?? '127.0.0.1'
  const urlHost = host.includes(':') ? `[${host}]` : host
  let origin = ''
  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
  const headersTimeout =
    options.headersTimeout ?? Math.min(DEFAULT_HEADERS_TIMEOUT, requestTimeout || Infinity)
  // Node looks for late requests on a timer (30 s by default): look often enough that a
  // connection is cut near its deadline rather than up to 30 s after it.
  const deadlines = [requestTimeout, headersTimeout].filter((ms) => ms > 0)
  const connectionsCheckingInterval = deadlines.length
    ? Math.max(25, Math.min(1000, Math.floor(Math.min(...deadlines) / 4)))
    : 30_000
  const server = createServer(
    { requestTimeout, headersTimeout, connectionsCheckingInterval },
    (incoming, res) => {
      const method = incoming.method ?? 'GET'
      toRequest(incoming, origin).then(
        async ({ request, body, cut }) => {
          try {
            const response = await handler(request, incoming.socket.remoteAddress, body)
            await writeResponse(res, response, method, cut)
          } catch (err) {
            console.error(`mock-idp: internal error: ${(err as Error).message}`)
            plainError(res, 500, 'server_error', 'internal error')
          }
        },
        // A method or header `Request` refuses (e.g. TRACE), or a client gone mid-body.
        () => plainError(res, 400, 'invalid_request', 'the request could not be read'),
      )
    },
  )
  server.keepAliveTimeout = options.keepAliveTimeout ?? DEFAULT_KEEP_ALIVE_TIMEOUT
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  origin = `http://${urlHost}:${port}`
  return {
    url: origin,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
