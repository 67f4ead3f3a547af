const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const part = new RegExp(`\\s*,?\\s*(${token})(?:\\s*=\\s*("(?:[^"\\\\]|\\\\.)*"|${token}))?`, 'y')

/**
 * The `error` parameter of the Bearer challenge in a `WWW-Authenticate` header (RFC 9110 §11.6.1,
 * RFC 6750 §3), or `undefined`. Several challenges may share the header; only Bearer's counts.
 */
export function bearerChallengeError(header: string | null): string | undefined {
  if (header === null || header.length > 8192) return undefined
  let scheme: string | undefined
  part.lastIndex = 0
  for (let match = part.exec(header); match !== null; match = part.exec(header)) {
    const [, name = '', value] = match
    if (value === undefined) scheme = name.toLowerCase()
    else if (scheme === 'bearer' && name.toLowerCase() === 'error') {
      return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value
    }
    if (part.lastIndex >= header.length) break
  }
  return undefined
}

/** Whether a 401 says the bearer token itself was refused (RFC 6750 §3.1 `invalid_token`). */
export function isInvalidTokenResponse(response: Response): boolean {
  return (
    response.status === 401 &&
    bearerChallengeError(response.headers.get('www-authenticate')) === 'invalid_token'
  )
}

/** Sends `request` with `Authorization: Bearer <token>` (RFC 6750 §2.1), never in the URL (C-15). */
export function sendWithBearer(
  fetch: (request: Request) => Promise<Response>,
  request: Request,
  accessToken: string,
): Promise<Response> {
  request.headers.set('authorization', `Bearer ${accessToken}`)
  return fetch(request)
}
