import { BoundedMap } from './bounded-map.js'

/** Failures counted under one key in a fixed window that starts at its first failure. */
export interface FailureWindow {
  count: number
  /** Epoch seconds (idp clock) when the window ends and the count starts again from zero. */
  endsAt: number
}

/**
 * Failed attempts per key (a client, a browser, a username) for the throttles of AS-6, AS-10
 * and AS-12. A key is limited once `max` failures fall in its window, until the window ends;
 * attempts refused while limited are not counted, so a lock never outlasts its window.
 */
export class FailureCounter {
  readonly windows: BoundedMap<FailureWindow>

  constructor(limits: { max: number; maxBytes: number }) {
    this.windows = new BoundedMap<FailureWindow>({ ...limits, expiresAt: (w) => w.endsAt })
  }

  /** Seconds until `key` may try again (at least 1), or 0 when it may try now. */
  retryAfter(key: string, max: number, now: number): number {
    const window = this.windows.get(key)
    if (!window || window.endsAt <= now || window.count < max) return 0
    return Math.max(1, Math.ceil(window.endsAt - now))
  }

  /** Counts one failure under `key`, starting a `seconds`-long window if none is open. */
  fail(key: string, seconds: number, now: number): void {
    const window = this.windows.get(key)
    if (window && window.endsAt > now) {
      window.count++
      return
    }
    // A new window is the newest entry, last in line for eviction.
    this.windows.delete(key)
    this.windows.set(key, { count: 1, endsAt: now + seconds })
  }
}
