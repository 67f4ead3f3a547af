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

function redactParams(params: URLSearchParams | Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of params) {
    out[name.slice(0, 100)] = SECRET_PARAMS.has(name) ? '[redacted]' : value.slice(0, 500)
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
        Object.assign(params, redactParams(new URLSearchParams(text)))
      } catch {
        // unreadable bodies are the handler's to refuse
      }
    } else if (request.method === 'POST' && type.startsWith('application/json')) {
      try {
        const json = JSON.parse(await readBodyText(request)) as unknown
        if (json && typeof json === 'object' && !Array.isArray(json)) {
          const map = new Map(Object.entries(json).map(([k, v]) => [k, String(v)]))
          Object.assign(params, redactParams(map))
        }
      } catch {
        // the handler answers invalid_request
      }
    }
    const headers: Record<string, string> = {}
    for (const name of LOGGED_HEADERS) {
      const value = request.headers.get(name)
      if (value === null) continue
      headers[name] =
        name === 'authorization' || name === 'dpop' ? `${value.split(' ')[0]} [redacted]` : value
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
