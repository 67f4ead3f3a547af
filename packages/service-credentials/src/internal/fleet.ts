import { TokenSet } from '@oidckit/core'
import type { SharedTokenCache, SharedTokenEntry } from '../shared-token-cache.js'
import type { CacheFailedEvent, TokenSourceEvent } from '../token-source-event.js'
import type { ResolvedOptions } from './resolve-options.js'
import type { TokenParams } from './token-params.js'

/** A token with the times its lifetime counts from: fetched here, or read from the fleet's cache. */
export interface Obtained {
  readonly tokens: TokenSet
  /** Milliseconds: when the token request was sent. */
  readonly issuedAt: number
  /** Seconds the token lives from `issuedAt`. */
  readonly lifetime: number
  /** Set when this process asked the provider: how many requests it took. */
  readonly attempts?: number | undefined
}

type Outcome<T> = { ok: true; value: T } | { ok: false }

const MAX_POLL_DELAY = 250

/**
 * The fleet-wide single flight over a {@link SharedTokenCache}: a process that needs a token
 * takes it from the shared cache, or takes the lock and fetches it for everyone, or waits (a
 * bounded time, polling with backoff) for the lock holder to store one. Every failure of the
 * shared cache is reported and skipped for a backoff period, so callers then fetch directly.
 */
export class Fleet {
  readonly #cache: SharedTokenCache
  readonly #identity: string
  readonly #options: ResolvedOptions
  readonly #emit: (event: TokenSourceEvent) => void
  readonly #keys = new Map<string, Promise<string>>()
  #downUntil = 0
  #backoff = 0

  constructor(
    cache: SharedTokenCache,
    identity: string,
    options: ResolvedOptions,
    emit: (event: TokenSourceEvent) => void,
  ) {
    this.#cache = cache
    this.#identity = identity
    this.#options = options
    this.#emit = emit
  }

  /**
   * A token other than `current` (the last one this process held, if any). `undefined` only for
   * a background refresh that another process is already doing.
   */
  async obtain(
    params: TokenParams,
    current: string | undefined,
    background: boolean,
    fetch: () => Promise<Obtained>,
  ): Promise<Obtained | undefined> {
    const key = await this.#keyOf(params)
    const read = async (): Promise<Outcome<Obtained | undefined>> => {
      const got = await this.#call('get', params, () => this.#cache.get(key))
      return got.ok ? { ok: true, value: this.#usable(got.value, current) } : got
    }
    let hit = await read()
    let waited = 0
    for (let delay = 10; ; delay = Math.min(delay * 2, MAX_POLL_DELAY)) {
      if (!hit.ok) return fetch()
      if (hit.value !== undefined) return hit.value
      const lock = await this.#call('lock', params, () =>
        this.#cache.lock(key, this.#options.deadline),
      )
      if (!lock.ok) return fetch()
      if (lock.value !== undefined) return this.#fetchForFleet(params, key, lock.value, read, fetch)
      // Another process is fetching: a background refresh leaves it to them.
      if (background) return undefined
      if (waited >= this.#options.deadline) return fetch()
      await new Promise((resolve) => setTimeout(resolve, delay))
      waited += delay
      hit = await read()
    }
  }

  /** Drops `accessToken` from the shared cache unless a newer token replaced it; never throws. */
  drop(params: TokenParams, accessToken: string): void {
    void this.#keyOf(params).then((key) =>
      this.#call('delete', params, () => this.#cache.delete(key, accessToken)),
    )
  }

  async #fetchForFleet(
    params: TokenParams,
    key: string,
    release: () => Promise<void>,
    read: () => Promise<Outcome<Obtained | undefined>>,
    fetch: () => Promise<Obtained>,
  ): Promise<Obtained> {
    try {
      // Stored between our miss and our lock?
      const again = await read()
      if (again.ok && again.value !== undefined) return again.value
      const obtained = await fetch()
      const entry = toEntry(obtained)
      const ttl = entry.expiresAt - this.#options.clock()
      if (ttl > 0) await this.#call('set', params, () => this.#cache.set(key, entry, ttl))
      return obtained
    } finally {
      void this.#call('unlock', params, release)
    }
  }

  #usable(entry: SharedTokenEntry | undefined, current: string | undefined) {
    if (entry === undefined || entry.accessToken === current) return undefined
    const lifetime = Math.max(0, (entry.expiresAt - entry.issuedAt) / 1000)
    const leeway = Math.min(this.#options.leeway, lifetime / 2)
    if (this.#options.clock() >= entry.expiresAt - leeway * 1000) return undefined
    const tokens = new TokenSet(
      {
        accessToken: entry.accessToken,
        tokenType: entry.tokenType,
        scope: entry.scope,
        expiresIn: entry.expiresIn,
        expiresAt: Math.floor(entry.expiresAt / 1000),
      },
      { clock: this.#options.clock },
    )
    return { tokens, issuedAt: entry.issuedAt, lifetime }
  }

  /** The shared-cache key: a digest of the provider, client, scope and resource. */
  #keyOf(params: TokenParams): Promise<string> {
    let key = this.#keys.get(params.key)
    if (key === undefined) {
      const text = JSON.stringify([this.#identity, params.scope ?? null, params.resource])
      key = crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then((digest) =>
        btoa(String.fromCharCode(...new Uint8Array(digest)))
          .replace(/=+$/, '')
          .replace(/\+/g, '-')
          .replace(/\//g, '_'),
      )
      this.#keys.set(params.key, key)
    }
    return key
  }

  /** Runs one shared-cache operation unless the cache is backing off after a failure. */
  async #call<T>(
    operation: CacheFailedEvent['operation'],
    params: TokenParams,
    run: () => Promise<T>,
  ): Promise<Outcome<T>> {
    const clock = this.#options.clock
    if (clock() < this.#downUntil) return { ok: false }
    try {
      const value = await run()
      this.#backoff = 0
      return { ok: true, value }
    } catch (err) {
      // Doubling from 1 s to 30 s: an outage costs one failed command per period, not per call.
      this.#backoff = Math.min(30_000, Math.max(1000, this.#backoff * 2))
      this.#downUntil = clock() + this.#backoff
      const error = err instanceof Error ? err : new Error(String(err))
      this.#emit({
        type: 'cache_failed',
        scope: params.scope,
        resource: params.resource,
        operation,
        retryIn: this.#backoff,
        error,
      })
      return { ok: false }
    }
  }
}

function toEntry({ tokens, issuedAt, lifetime }: Obtained): SharedTokenEntry {
  return {
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    scope: tokens.scope,
    expiresIn: tokens.expiresIn,
    issuedAt,
    expiresAt: issuedAt + lifetime * 1000,
  }
}
