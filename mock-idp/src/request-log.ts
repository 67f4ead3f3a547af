import { readBodyText } from './internal/params.js'

/** One request as a client sent it, with every secret redacted. */
export interface LoggedRequest {
  time: number
  method: string
  path: string
  endpoint: string
  params: Record<string, string>
  headers: Record<string, string>
  status: number
}

const SECRET_PARAMS = new Set([
  'password',
  'client_secret',
  'client_assertion',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token_hint',
  'token',
  'device_code',
  'csrf_token',
  'tx',
])
const LOGGED_HEADERS = ['content-type', 'origin', 'authorization', 'dpop', 'user-agent']
const MAX_ENTRIES = 500
/** Characters of parameters one entry keeps, so the log stays small however large the requests. */
const MAX_PARAM_CHARS = 4096
const MAX_HEADER_CHARS = 200

/** Adds redacted parameters to `out` until the entry has {@link MAX_PARAM_CHARS} characters. */
function redactParams(
  params: URLSearchParams | Map<string, string>,
  out: Record<string, string> = {},
): Record<string, string> {
  let used = 0
  for (const [name, value] of Object.entries(out)) used += name.length + value.length
  for (const [name, value] of params) {
    const key = name.slice(0, 100)
    const text = SECRET_PARAMS.has(name) ? '[redacted]' : value.slice(0, 500)
    used += key.length + text.length
    if (used > MAX_PARAM_CHARS) {
      out['…'] = 'more parameters, not logged'
      break
    }
    out[key] = text
  }
  return out
}

/** The last {@link MAX_ENTRIES} requests; no token, password or secret is ever kept. */
export class RequestLog {
  entries: LoggedRequest[] = []

  /** Records a request; its body is read through {@link readBodyText}, which the handler shares. */
  async record(
    request: Request,
    url: URL,
    endpoint: string,
    time: number,
  ): Promise<(status: number) => void> {
    const params = redactParams(url.searchParams)
    const type = request.headers.get('content-type') ?? ''
    // Only bodies of a declared, small length: the log must never read more than the handler.
    const length = Number(request.headers.get('content-length') ?? 'NaN')
    const small = Number.isInteger(length) && length <= 64 * 1024
    if (!small) {
      // skip the body
    } else if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
      try {
        const text = await readBodyText(request)
        redactParams(new URLSearchParams(text), params)
      } catch {
        // unreadable bodies are the handler's to refuse
      }
    } else if (request.method === 'POST' && type.startsWith('application/json')) {
      try {
        const json = JSON.parse(await readBodyText(request)) as unknown
        if (json && typeof json === 'object' && !Array.isArray(json)) {
          const map = new Map(Object.entries(json).map(([k, v]) => [k, String(v)]))
          redactParams(map, params)
        }
      } catch {
        // the handler answers invalid_request
      }
    }
    const headers: Record<string, string> = {}
    for (const name of LOGGED_HEADERS) {
      const value = request.headers.get(name)
      if (value === null) continue
      const logged =
        name === 'authorization' || name === 'dpop' ? `${value.split(' ')[0]} [redacted]` : value
      headers[name] = logged.slice(0, MAX_HEADER_CHARS)
    }
    const entry: LoggedRequest = {
      time,
      method: request.method,
      path: url.pathname,
      endpoint,
      params,
      headers,
      status: 0,
    }
    this.entries.push(entry)
    if (this.entries.length > MAX_ENTRIES) this.entries.shift()
    return (status) => {
      entry.status = status
    }
  }
}
