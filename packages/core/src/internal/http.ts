import { NetworkError } from '../errors.js'
import type { FetchLike } from '../types.js'
import { withHint } from './hints.js'
import { safeCause } from './sanitize.js'
import { collectSecrets, redact } from './secrets.js'
import type { Secrets } from './secrets.js'

/** The fetch signature oauth4webapi's `customFetch` option calls. */
export type CustomFetch = (
  url: string,
  init: {
    body?: unknown
    headers: Record<string, string>
    method: string
    redirect?: 'manual'
    signal?: AbortSignal
  },
) => Promise<Response>

export interface HttpOptions {
  fetch: FetchLike
  /** Milliseconds before the whole exchange (headers and body) is abandoned. */
  timeout: number
  maxResponseBytes: number
  /** The caller's signal for this call. */
  signal?: AbortSignal | undefined
  /** Filled with the credentials each exchange sends and receives, to keep them out of errors. */
  secrets?: Secrets | undefined
}

export const DEFAULT_TIMEOUT = 10_000
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024

// Bodies oauth4webapi can parse; everything else (HTML login pages, proxy errors) is refused here.
const ACCEPTED_TYPES = new Set([
  'application/json',
  'application/jwk-set+json',
  'application/jwt',
  'application/token-introspection+jwt',
])

/** The transport options of a call: the caller's fetch, bound late, and the two limits. */
export function transport(options: {
  fetch?: FetchLike | undefined
  timeout?: number | undefined
  maxResponseBytes?: number | undefined
}): HttpOptions {
  return {
    // Bound late, so a fetch installed (or mocked) after the client was built is used.
    fetch: options.fetch ?? ((request: Request) => fetch(request)),
    timeout: options.timeout ?? DEFAULT_TIMEOUT,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  }
}

class Aborted extends Error {
  constructor(readonly kind: 'timeout' | 'aborted') {
    super(kind)
  }
}

/**
 * The one HTTP path of core (RP-10): a timeout on every exchange, the caller's signal, no
 * followed redirects, a stream-counted size cap, and a content-type check. The body is read
 * here, so every transport failure surfaces as a {@link NetworkError} before oauth4webapi parses.
 * The credentials sent and received are recorded in `secrets`, so errors can leave them out.
 */
export function createHttp(options: HttpOptions): CustomFetch {
  const { secrets } = options
  return async (url, init) => {
    collectSecrets(secrets, init.body, init.headers.authorization)
    const controller = new AbortController()
    let abortedBy: Aborted | undefined
    const abort = (kind: 'timeout' | 'aborted') => {
      abortedBy ??= new Aborted(kind)
      controller.abort(abortedBy)
    }
    const timer = setTimeout(() => abort('timeout'), options.timeout)
    const onCallerAbort = () => abort('aborted')
    if (options.signal?.aborted) onCallerAbort()
    options.signal?.addEventListener('abort', onCallerAbort, { once: true })
    // A custom fetch may ignore the signal: race it, so a silent server still times out.
    const aborted = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(abortedBy)
      controller.signal.addEventListener('abort', () => reject(abortedBy), { once: true })
    })
    aborted.catch(() => undefined)

    const fail = (cause: unknown, fallback: 'ERR_CONNECTION_FAILED' | 'ERR_BODY_READ_FAILED') => {
      const kind = abortedBy?.kind
      if (kind === 'timeout') {
        return new NetworkError(
          'ERR_TIMEOUT',
          withHint(`No complete answer from ${url} within ${options.timeout} ms.`, 'timeout'),
          { url, cause: safeCause(cause, secrets) },
        )
      }
      if (kind === 'aborted') {
        return new NetworkError('ERR_ABORTED', `The request to ${url} was aborted by its signal.`, {
          url,
          cause: safeCause(options.signal?.reason ?? cause, secrets),
        })
      }
      const reason = redact(describe(cause), secrets)
      return fallback === 'ERR_CONNECTION_FAILED'
        ? new NetworkError(fallback, withHint(`Could not reach ${url}: ${reason}.`, 'connection'), {
            url,
            cause: safeCause(cause, secrets),
          })
        : new NetworkError(
            fallback,
            withHint(`The answer from ${url} broke off before its end: ${reason}.`, 'bodyRead'),
            { url, cause: safeCause(cause, secrets) },
          )
    }

    try {
      let response: Response
      try {
        response = await Promise.race([
          // One Request argument: works with the global fetch and with `(Request) => Response`
          // handlers such as a mock provider's `idp.fetch`.
          options.fetch(
            new Request(url, {
              ...(init as RequestInit),
              redirect: 'manual',
              signal: controller.signal,
            }),
          ),
          aborted,
        ])
      } catch (cause) {
        throw fail(cause, 'ERR_CONNECTION_FAILED')
      }
      checkStatus(url, response)
      const body = await readCapped(url, response, options.maxResponseBytes, aborted).catch(
        (cause: unknown) => {
          if (cause instanceof NetworkError) throw cause
          throw fail(cause, 'ERR_BODY_READ_FAILED')
        },
      )
      collectSecrets(secrets, checkContentType(url, response, body))
      return new Response(isNullBodyStatus(response.status) ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      })
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onCallerAbort)
    }
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : ''
    return `${cause.message}${inner}`
  }
  return String(cause)
}

function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304
}

function checkStatus(url: string, response: Response): void {
  const { status } = response
  // A browser's `redirect: 'manual'` yields an opaque response with status 0.
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    void response.body?.cancel().catch(() => undefined)
    const location = redirectTarget(url, response.headers.get('location'))
    throw new NetworkError(
      'ERR_UNEXPECTED_STATUS',
      withHint(`${url} answered with a redirect${location ? ` to ${location}` : ''}.`, 'redirect'),
      { url, status },
    )
  }
  if (status >= 500) {
    void response.body?.cancel().catch(() => undefined)
    throw new NetworkError(
      'ERR_SERVER_ERROR',
      withHint(
        `${url} answered with HTTP ${status}: the authorization server failed.`,
        'serverError',
      ),
      { url, status },
    )
  }
}

// A redirect's query and fragment may carry a code or a token: only where it points is shown.
function redirectTarget(url: string, location: string | null): string | undefined {
  if (!location) return undefined
  try {
    const target = new URL(location, url)
    return `${target.origin}${target.pathname}`
  } catch {
    return undefined
  }
}

async function readCapped(
  url: string,
  response: Response,
  limit: number,
  aborted: Promise<never>,
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new NetworkError(
      'ERR_RESPONSE_TOO_LARGE',
      withHint(
        `The answer from ${url} is larger than ${limit} bytes and was not read.`,
        'tooLarge',
      ),
      { url, status: response.status },
    )
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    void response.body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted])
      if (done) break
      size += value.byteLength
      if (size > limit) throw tooLarge()
      chunks.push(value)
    }
  } catch (err) {
    void reader.cancel().catch(() => undefined)
    throw err
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/** Checks the body's type and syntax; returns the parsed JSON, or the text of a JWT. */
function checkContentType(url: string, response: Response, body: Uint8Array): unknown {
  if (body.byteLength === 0) return undefined
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== undefined && ACCEPTED_TYPES.has(type)) {
    const text = new TextDecoder().decode(body)
    if (type !== 'application/json' && type !== 'application/jwk-set+json') return text
    try {
      return JSON.parse(text) as unknown
    } catch (cause) {
      throw new NetworkError(
        'ERR_RESPONSE_NOT_JSON',
        withHint(
          `The answer from ${url} (HTTP ${response.status}) is not valid JSON.`,
          'malformedJson',
        ),
        { url, status: response.status, cause },
      )
    }
  }
  throw new NetworkError(
    'ERR_RESPONSE_NOT_JSON',
    withHint(
      `${url} answered HTTP ${response.status} with ${type ?? 'no content-type'} instead of JSON.`,
      'notJson',
      type === 'text/html',
    ),
    { url, status: response.status },
  )
}
