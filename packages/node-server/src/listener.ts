import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/**
 * Converts a Node request to a web-standard `Request`. The URL takes its path and query from the
 * request and its origin from `baseUrl`, never from `Host` (S-12).
 *
 * @see https://fetch.spec.whatwg.org/#request-class
 * @example
 * ```ts
 * const request = toWebRequest(req, 'http://localhost:3000')
 * ```
 */
export function toWebRequest(req: IncomingMessage, baseUrl = 'http://localhost'): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headersDistinct)) {
    for (const line of value ?? []) headers.append(name, line)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD' && !req.readableEnded
  let url: URL
  try {
    url = new URL(req.url ?? '/', baseUrl)
  } catch {
    url = new URL('/', baseUrl)
  }
  return new Request(url, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: hasBody ? 'half' : undefined,
  } as RequestInit)
}

/**
 * Writes a web-standard `Response` to a Node response, keeping every `Set-Cookie` line.
 *
 * @see https://nodejs.org/api/http.html#class-httpserverresponse
 * @example
 * ```ts
 * await sendWebResponse(res, new Response('hello'))
 * ```
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length) headers['set-cookie'] = cookies
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
  res.writeHead(response.status, headers)
  res.end(body)
}

/**
 * Serves a web-standard handler from Node `http` or as an Express / Connect route; a throwing
 * handler goes to `next` (Express) or answers a bare 500, never a stack trace.
 *
 * @see https://fetch.spec.whatwg.org/#fetch-method
 * @example
 * ```ts
 * app.get('/login', toNodeHandler(web.login, { baseUrl: 'http://localhost:3000' }))
 * ```
 */
export function toNodeHandler(
  handler: (request: Request) => Promise<Response>,
  options?: { baseUrl?: string | undefined },
): (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => handler(toWebRequest(req, options?.baseUrl)))
      .then((response) => sendWebResponse(res, response))
      .catch((err: unknown) => {
        if (next) return next(err)
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('Internal Server Error')
      })
  }
}
