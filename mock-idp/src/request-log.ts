import { decodeJwt, type DecodedJwt } from './internal/decode-jwt.js'
import type { RequestBody } from './internal/request-body.js'

export type { DecodedJwt }

/**
 * One request as a client sent it, with every secret redacted; or, with `outbound`, one that
 * mock-idp sent (a back-channel logout delivery).
 */
export interface LoggedRequest {
  time: number
  method: string
  path: string
  endpoint: string
  params: Record<string, string>
  headers: Record<string, string>
  /** The answer's status; 0 while pending, or when an outbound request got no answer. */
  status: number
  /**
   * JWTs the request carried (a parameter, `Authorization`, `DPoP`) and, at the token endpoint,
   * the ones it answered with: header and payload only, never the signature.
   */
  tokens?: DecodedJwt[]
  /** For a request mock-idp sent: where to, which attempt, and why it failed, if it did. */
  outbound?: { url: string; attempt: number; error?: string }
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
/** Decoded JWTs one entry keeps. */
const MAX_TOKENS = 4

/** Token-response fields whose JWTs the log decodes, by response (set by the token endpoint). */
const answeredTokens = new WeakMap<Response, Record<string, unknown>>()

/** Lets the request log decode the JWTs of a token response without reading its body again. */
export function noteTokenResponse(response: Response, body: Record<string, unknown>): Response {
  answeredTokens.set(response, body)
  return response
}

function addToken(tokens: DecodedJwt[], name: string, value: string): void {
  if (tokens.length >= MAX_TOKENS) return
  const decoded = decodeJwt(name, value)
  if (decoded) tokens.push(decoded)
}

/** Adds redacted parameters to `out` until the entry has {@link MAX_PARAM_CHARS} characters. */
function redactParams(
  params: URLSearchParams | Map<string, string>,
  tokens: DecodedJwt[],
  out: Record<string, string> = {},
): Record<string, string> {
  let used = 0
  for (const [name, value] of Object.entries(out)) used += name.length + value.length
  for (const [name, value] of params) {
    addToken(tokens, name.slice(0, 100), value)
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

  /** Records a request; its body is read through `body`, which the handler shares. */
  async record(
    request: Request,
    url: URL,
    body: RequestBody,
    endpoint: string,
    time: number,
  ): Promise<(response: Response) => void> {
    const tokens: DecodedJwt[] = []
    const params = redactParams(url.searchParams, tokens)
    const type = request.headers.get('content-type') ?? ''
    // Only bodies of a declared, small length: the log must never read more than the handler.
    const length = Number(request.headers.get('content-length') ?? 'NaN')
    const small = Number.isInteger(length) && length <= 64 * 1024
    if (!small) {
      // skip the body
    } else if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
      try {
        const text = await body.text()
        redactParams(new URLSearchParams(text), tokens, params)
      } catch {
        // unreadable bodies are the handler's to refuse
      }
    } else if (request.method === 'POST' && type.startsWith('application/json')) {
      try {
        const json = JSON.parse(await body.text()) as unknown
        if (json && typeof json === 'object' && !Array.isArray(json)) {
          const map = new Map(Object.entries(json).map(([k, v]) => [k, String(v)]))
          redactParams(map, tokens, params)
        }
      } catch {
        // the handler answers invalid_request
      }
    }
    const headers: Record<string, string> = {}
    for (const name of LOGGED_HEADERS) {
      const value = request.headers.get(name)
      if (value === null) continue
      if (name === 'authorization') addToken(tokens, name, value.split(' ')[1] ?? '')
      if (name === 'dpop') addToken(tokens, name, value)
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
    if (tokens.length) entry.tokens = tokens
    this.add(entry)
    return (response) => {
      entry.status = response.status
      const answered = answeredTokens.get(response)
      if (!answered) return
      const all = entry.tokens ?? []
      for (const field of ['access_token', 'id_token']) {
        const value = answered[field]
        if (typeof value === 'string') addToken(all, field, value)
      }
      if (all.length) entry.tokens = all
    }
  }

  /** Adds an entry, dropping the oldest past {@link MAX_ENTRIES}. */
  add(entry: LoggedRequest): void {
    this.entries.push(entry)
    if (this.entries.length > MAX_ENTRIES) this.entries.shift()
  }
}
