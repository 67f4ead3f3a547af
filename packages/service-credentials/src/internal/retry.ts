import { NetworkError, OAuthError } from '@oidckit/core'

/** How failed token requests are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included; 1 disables retries. */
  readonly maxAttempts: number
  /** Milliseconds of the first backoff; each later one doubles, up to `maxDelay`. */
  readonly baseDelay: number
  readonly maxDelay: number
}

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  readonly attempt: number
  /** Milliseconds until the next attempt. */
  readonly delay: number
  readonly error: unknown
}

export interface RetryContext {
  readonly policy: RetryPolicy
  /** Milliseconds for all attempts together, backoff included. */
  readonly deadline: number
  readonly clock: () => number
  readonly random: () => number
  readonly onRetry: (info: RetryInfo) => void
}

// Codes worth another try: the exchange failed or came back cut short, not a refusal.
const transient = new Set([
  'ERR_TIMEOUT',
  'ERR_CONNECTION_FAILED',
  'ERR_BODY_READ_FAILED',
  'ERR_SERVER_ERROR',
  'ERR_RESPONSE_NOT_JSON',
])

/**
 * Whether an error is transient: network failures, 5xx, a truncated or garbled success body,
 * and 429. A 400/401 OAuth error (`invalid_client`, `invalid_scope`) never is.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof OAuthError) return error.status === 429
  if (!(error instanceof NetworkError) || !transient.has(error.code)) return false
  if (error.code !== 'ERR_RESPONSE_NOT_JSON') return true
  // An HTML 404 page is a wrong URL, not a hiccup; a garbled 200 or 5xx body is worth a retry.
  return error.status === undefined || error.status < 300 || error.status >= 500
}

/** The delay an RFC 9110 §10.2.3 `Retry-After` header asks for, in milliseconds. */
export function retryAfter(error: unknown, now: number): number | undefined {
  if (!(error instanceof OAuthError)) return undefined
  const value = error.response?.headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the deadline passes. Backoff is
 * exponential with equal jitter (half fixed, half random) so a fleet spreads out; a
 * `Retry-After` is honoured, plus up to 10% jitter, unless it reaches past the deadline.
 */
export async function withRetry<T>(
  run: (signal: AbortSignal) => Promise<T>,
  context: RetryContext,
): Promise<T> {
  const { policy, deadline, clock, random } = context
  const controller = new AbortController()
  const expired = new NetworkError(
    'ERR_TIMEOUT',
    `No token within the ${deadline} ms deadline; raise the \`deadline\` option or check the provider.`,
  )
  const timer = setTimeout(() => controller.abort(expired), deadline)
  const deadlineAt = clock() + deadline
  try {
    for (let attempt = 1; ; attempt++) {
      let error: unknown
      try {
        return await run(controller.signal)
      } catch (err) {
        error = err
      }
      if (controller.signal.aborted) throw withCause(expired, error)
      if (attempt >= policy.maxAttempts || !isRetryable(error)) throw error
      const backoff = Math.min(policy.maxDelay, policy.baseDelay * 2 ** (attempt - 1))
      const asked = retryAfter(error, clock())
      const delay = Math.round(
        asked === undefined ? backoff / 2 + (random() * backoff) / 2 : asked * (1 + 0.1 * random()),
      )
      if (clock() + delay >= deadlineAt) throw error
      context.onRetry({ attempt, delay, error })
      try {
        await sleep(delay, controller.signal)
      } catch {
        throw withCause(expired, error)
      }
    }
  } finally {
    clearTimeout(timer)
  }
}

function withCause(error: NetworkError, cause: unknown): NetworkError {
  return new NetworkError(error.code, error.message, { cause })
}
