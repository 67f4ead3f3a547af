import { NetworkError } from '../errors.js'
import type { NetworkErrorCode } from '../errors.js'
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
const ACCEPTED_TYPES = [
  'application/json',
  'application/jwk-set+json',
  'application/jwt',
  'application/token-introspection+jwt',
]

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

/**
 * The one HTTP path of core (RP-10): a timeout on every exchange, the caller's signal, no
 * followed redirects, a stream-counted size cap, and a content-type check. The body is read
 * here, so every transport failure surfaces as a {@link NetworkError} before oauth4webapi parses.
 * The credentials sent and received are recorded in `secrets`, so errors can leave them out.
 */
export function createHttp(options: HttpOptions): CustomFetch {
  const { secrets, signal, timeout } = options
  return async (url, init) => {
    collectSecrets(secrets, init.body, init.headers.authorization)
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = !controller.signal.aborted
      controller.abort()
    }, timeout)
    const onCallerAbort = () => controller.abort()
    if (signal?.aborted) onCallerAbort()
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    // A custom fetch may ignore the signal: race it, so a silent server still times out.
    const aborted = new Promise<never>((_, reject) => {
      const fire = () => reject(controller.signal.reason)
      if (controller.signal.aborted) fire()
      else controller.signal.addEventListener('abort', fire)
    })
    aborted.catch(() => undefined)

    const error = (code: NetworkErrorCode, message: string, cause?: unknown, status?: number) =>
      new NetworkError(code, message, { url, status, cause: safeCause(cause, secrets) })
    const fail = (cause: unknown, connecting: boolean) => {
      if (cause instanceof NetworkError) return cause
      if (timedOut) {
        return error(
          'ERR_TIMEOUT',
          withHint(`${url} timed out after ${timeout} ms.`, 'timeout'),
          cause,
        )
      }
      if (controller.signal.aborted) {
        return error('ERR_ABORTED', `The request to ${url} was aborted.`, signal?.reason ?? cause)
      }
      const reason = redact(describe(cause), secrets)
      return connecting
        ? error(
            'ERR_CONNECTION_FAILED',
            withHint(`Could not reach ${url}: ${reason}.`, 'connection'),
            cause,
          )
        : error(
            'ERR_BODY_READ_FAILED',
            withHint(`The answer from ${url} broke off: ${reason}.`, 'bodyRead'),
            cause,
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
        throw fail(cause, true)
      }
      const { status, headers } = response
      const refuse = (code: NetworkErrorCode, message: string) => {
        void response.body?.cancel().catch(() => undefined)
        return error(code, message, undefined, status)
      }
      // A browser's `redirect: 'manual'` yields an opaque response with status 0.
      if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
        throw refuse(
          'ERR_UNEXPECTED_STATUS',
          withHint(
            `${url} answered with a redirect${redirectTarget(url, headers.get('location'))}.`,
            'redirect',
          ),
        )
      }
      if (status >= 500) {
        throw refuse(
          'ERR_SERVER_ERROR',
          withHint(`${url} answered with HTTP ${status}.`, 'serverError'),
        )
      }
      const tooLarge = () =>
        refuse(
          'ERR_RESPONSE_TOO_LARGE',
          withHint(`${url} sent over ${options.maxResponseBytes} bytes.`, 'tooLarge'),
        )
      if (Number(headers.get('content-length')) > options.maxResponseBytes) throw tooLarge()
      // Read here, in chunks, so the size cap and the timeout hold while the body arrives.
      const reader = response.body?.getReader()
      const chunks: Uint8Array[] = []
      let size = 0
      try {
        for (;;) {
          const chunk = await Promise.race([reader?.read() ?? { done: true as const }, aborted])
          if (chunk.done) break
          size += chunk.value.length
          if (size > options.maxResponseBytes) throw tooLarge()
          chunks.push(chunk.value)
        }
      } catch (cause) {
        void reader?.cancel().catch(() => undefined)
        throw fail(cause, false)
      }
      const body = new Uint8Array(size)
      size = 0
      for (const chunk of chunks) {
        body.set(chunk, size)
        size += chunk.length
      }
      if (body.length > 0) {
        const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
        if (!type || !ACCEPTED_TYPES.includes(type)) {
          throw error(
            'ERR_RESPONSE_NOT_JSON',
            withHint(
              `${url} answered HTTP ${status} with ${type ?? 'no content-type'} instead of JSON.`,
              'notJson',
              type === 'text/html',
            ),
            undefined,
            status,
          )
        }
        const text = new TextDecoder().decode(body)
        let parsed: unknown = text
        if (type.endsWith('json')) {
          try {
            parsed = JSON.parse(text)
          } catch (cause) {
            throw error(
              'ERR_RESPONSE_NOT_JSON',
              withHint(`${url} sent malformed JSON.`, 'malformedJson'),
              cause,
              status,
            )
          }
        }
        collectSecrets(secrets, parsed)
      }
      return new Response([101, 204, 205, 304].includes(status) ? null : body, response)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerAbort)
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

// A redirect's query and fragment may carry a code or a token: only where it points is shown.
function redirectTarget(url: string, location: string | null): string {
  try {
    const target = new URL(location ?? '', url)
    return location ? ` to ${target.origin}${target.pathname}` : ''
  } catch {
    return ''
  }
}
