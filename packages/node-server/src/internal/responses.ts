/** A plain-text answer that is never cached. */
export function text(status: number, body: string, headers?: HeadersInit): Response {
  const response = new Response(body, { status, headers })
  response.headers.set('content-type', 'text/plain; charset=utf-8')
  response.headers.set('cache-control', 'no-store')
  return response
}

/** A JSON answer that is never cached, with these `Set-Cookie` lines. */
export function json(
  status: number,
  body: unknown,
  cookies: readonly string[] = [],
  headers?: Record<string, string>,
): Response {
  const response = Response.json(body, { status, headers })
  response.headers.set('cache-control', 'no-store')
  for (const cookie of cookies) response.headers.append('set-cookie', cookie)
  return response
}

/** A 303 that is never cached and leaks no referrer, with these `Set-Cookie` lines. */
export function redirect(location: string, cookies: readonly string[] = []): Response {
  const headers = new Headers({
    location,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  })
  for (const cookie of cookies) headers.append('set-cookie', cookie)
  return new Response(null, { status: 303, headers })
}
