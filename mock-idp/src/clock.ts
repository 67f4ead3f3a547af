/**
 * The virtual clock behind every expiry (codes, tokens, device codes, sessions, keys). It runs
 * with real time plus an offset, so pollers keep working while tests jump ahead.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
 * @example
 * const idp = createMockIdp()
 * idp.clock.advance(3600) // every access token issued so far has now expired
 */
export interface MockIdpClock {
  /** Seconds since the epoch, fractional. */
  now(): number
  /** Moves time forward (or back, with a negative value) by `seconds`. */
  advance(seconds: number): void
  /** Sets the current time to `epochSeconds`. */
  set(epochSeconds: number): void
  /** Back to real time. */
  reset(): void
}

/**
 * Creates a virtual clock starting at real time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
 * @example
 * const clock = createClock()
 * clock.advance(60)
 */
export function createClock(): MockIdpClock {
  let offset = 0
  const real = () => Date.now() / 1000
  return {
    now: () => real() + offset,
    advance(seconds) {
      if (!Number.isFinite(seconds)) throw new TypeError('clock.advance() takes a finite number')
      offset += seconds
    },
    set(epochSeconds) {
      if (!Number.isFinite(epochSeconds)) throw new TypeError('clock.set() takes a finite number')
      offset = epochSeconds - real()
    },
    reset() {
      offset = 0
    },
  }
}
