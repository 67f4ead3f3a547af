/** Bad answers of the hostile provider's endpoints, one per {@link TokenEndpointFault}. */

/** One way an endpoint (token, JWKS, userinfo) answers badly. */
export type TokenEndpointFault =
  /** 200 with an HTML login page. */
  | 'html'
  /** 200 `application/json` that does not parse. */
  | 'invalid-json'
  /** 500 with an HTML error page. */
  | 'server-error'
  /** 200 `application/json`, 5 MB, streamed without a Content-Length. */
  | 'huge-body'
  /** Accepts the request and never answers (for a minute, or until the client gives up). */
  | 'silence'
  /** Sends the headers and the start of a JSON body, then stalls, deaf to the request's signal. */
  | 'stalled-body'
  /** A 302 to another host instead of an answer. */
  | 'redirect'
  /** 200 `application/json` whose body is an array, not an object. */
  | 'not-an-object'

const FIVE_MB = 5 * 1024 * 1024

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}

function html(body: string, status: number): Response {
  return new Response(`<!doctype html><html><body>${body}</body></html>`, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  })
}

/** A JSON body of about 5 MB, in 64 KiB chunks, with no Content-Length to trust. */
function hugeBody(): Response {
  const chunk = new TextEncoder().encode(' '.repeat(64 * 1024))
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"access_token":"'))
      if (sent >= FIVE_MB) {
        controller.enqueue(new TextEncoder().encode('","token_type":"Bearer"}'))
        controller.close()
        return
      }
      sent += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
}

/** The first bytes of a JSON body, then nothing, for a minute; it ignores any abort signal. */
function stalledBody(): Response {
  let timer: ReturnType<typeof setTimeout> | undefined
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"keys": ['))
      timer = setTimeout(() => controller.error(new Error('stalled for a minute')), 60_000)
    },
    cancel() {
      clearTimeout(timer)
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
}

/** Never answers; gives up only when the caller aborts, or after a minute. */
function silence(request: Request): Promise<Response> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error('silent for a minute')), 60_000)
    request.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(request.signal.reason)
      },
      { once: true },
    )
  })
}

/** The answer of an endpoint broken as `fault` says. */
export function faulty(fault: TokenEndpointFault, request: Request): Response | Promise<Response> {
  switch (fault) {
    case 'html':
      return html('<form action="/login"><input name="password"></form>', 200)
    case 'invalid-json':
      return new Response('{"access_token": "at", "token_type": ', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })
    case 'server-error':
      return html('<h1>500 Internal Server Error</h1>', 500)
    case 'huge-body':
      return hugeBody()
    case 'silence':
      return silence(request)
    case 'stalled-body':
      return stalledBody()
    case 'redirect':
      return new Response(null, { status: 302, headers: { location: 'https://evil.test/token' } })
    case 'not-an-object':
      return json([{ access_token: 'at', token_type: 'Bearer' }])
  }
}
