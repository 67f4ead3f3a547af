/** A protocol failure that the endpoint turns into an RFC 6749 §5.2 JSON error. */
export class ProtocolError extends Error {
  readonly error: string
  readonly status: number
  readonly headers: Record<string, string>

  constructor(
    error: string,
    description: string,
    status = 400,
    headers: Record<string, string> = {},
  ) {
    super(description)
    this.name = 'ProtocolError'
    this.error = error
    this.status = status
    this.headers = headers
  }
}

/**
 * RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in `error_description`: no quotes, no
 * backslashes, no CR/LF (AS-17).
 */
export function sanitizeDescription(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ').slice(0, 300)
}

/** The JSON body and headers of an OAuth error; never cached. */
export function errorResponse(err: ProtocolError): Response {
  return jsonResponse(
    { error: err.error, error_description: sanitizeDescription(err.message) },
    err.status,
    err.headers,
  )
}

/** A JSON response that no cache may keep (RFC 6749 §5.1). */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      ...headers,
    },
  })
}
