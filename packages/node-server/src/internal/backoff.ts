/** The first wait after a failure, and the longest one, in milliseconds. */
const FIRST = 1000
const LONGEST = 60_000

/**
 * Remembers the last failure of a fetch (discovery, JWKS) and how long to wait before trying
 * again: 1 s after the first failure, doubling to 60 s, on the verifier's clock. While it
 * waits, callers get the same error at once instead of sending another request, so an outage
 * costs the issuer a handful of requests however many tokens arrive.
 */
export class Backoff {
  readonly #now: () => number
  #failures = 0
  #retryAt = 0
  #error: unknown

  constructor(now: () => number) {
    this.#now = now
  }

  /** The last failure while its wait lasts, otherwise `undefined`: go ahead and fetch. */
  pending(): unknown {
    return this.#failures > 0 && this.#now() < this.#retryAt ? this.#error : undefined
  }

  failed(err: unknown): void {
    this.#failures += 1
    this.#error = err
    this.#retryAt = this.#now() + Math.min(FIRST * 2 ** (this.#failures - 1), LONGEST)
  }

  succeeded(): void {
    this.#failures = 0
    this.#error = undefined
  }
}
