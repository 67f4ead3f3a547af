import type { Client, TokenSet } from '@oidckit/core'
import type { TokenSourceEvent } from '../token-source-event.js'
import type { Fleet, Obtained } from './fleet.js'
import type { ResolvedOptions } from './resolve-options.js'
import { withRetry } from './retry.js'
import type { TokenParams } from './token-params.js'

interface Entry {
  readonly params: TokenParams
  tokens: TokenSet | undefined
  /** The last access token cached here, kept when it is dropped: a replacement must differ. */
  last: string | undefined
  /** Milliseconds: from here on the token is no longer served (expiry minus leeway). */
  staleAt: number
  /** Milliseconds: from here on a call starts a background refresh. */
  refreshAt: number
  /** Milliseconds: no background refresh before this, after one failed. */
  backgroundAfter: number
  inflight: Promise<TokenSet> | undefined
}

const noop = () => undefined

/**
 * One cache entry per (scope, resource), each with at most one request in flight that every
 * caller shares (single flight). A failed request rejects all its waiters and is forgotten.
 */
export class TokenCache {
  readonly #entries = new Map<string, Entry>()
  readonly #options: ResolvedOptions
  readonly #client: () => Promise<Client>
  readonly #emit: (event: TokenSourceEvent) => void
  readonly #fleet: Fleet | undefined

  constructor(
    options: ResolvedOptions,
    client: () => Promise<Client>,
    emit: (event: TokenSourceEvent) => void,
    fleet?: Fleet,
  ) {
    this.#options = options
    this.#client = client
    this.#emit = emit
    this.#fleet = fleet
  }

  /** The cached token when it is fresh (synchronously), else the shared request for one. */
  get(params: TokenParams, force: boolean): TokenSet | Promise<TokenSet> {
    let entry = this.#entries.get(params.key)
    if (entry === undefined) {
      entry = {
        params,
        tokens: undefined,
        last: undefined,
        staleAt: 0,
        refreshAt: 0,
        backgroundAfter: 0,
        inflight: undefined,
      }
      this.#entries.set(params.key, entry)
    }
    const now = this.#options.clock()
    if (!force && entry.tokens !== undefined && now < entry.staleAt) {
      if (now >= entry.refreshAt && entry.inflight === undefined && now >= entry.backgroundAfter) {
        this.#request(entry, true)
      }
      return entry.tokens
    }
    return entry.inflight ?? this.#request(entry, false)
  }

  /**
   * Drops one entry's token, or every token, here and in the shared cache; requests in flight
   * still complete.
   */
  invalidate(key?: string): void {
    const entries = key === undefined ? this.#entries.values() : [this.#entries.get(key)]
    for (const entry of entries) if (entry?.tokens) this.#drop(entry, entry.tokens)
  }

  /** Drops `tokens` only if it is still the cached one: a newer token stays. */
  invalidateIfCurrent(key: string, tokens: TokenSet): void {
    const entry = this.#entries.get(key)
    if (entry?.tokens === tokens) this.#drop(entry, tokens)
  }

  #drop(entry: Entry, tokens: TokenSet): void {
    entry.tokens = undefined
    this.#fleet?.drop(entry.params, tokens.accessToken)
  }

  #request(entry: Entry, background: boolean): Promise<TokenSet> {
    const { params } = entry
    const target = { scope: params.scope, resource: params.resource }
    const options = this.#options
    // The last token held here is stale, due for refresh, forced out or invalidated: the
    // shared cache may still hold it, and only another one will do.
    const current = entry.last
    const fetch = () => this.#fetch(params)
    const obtain = (inBackground: boolean) =>
      this.#fleet === undefined ? fetch() : this.#fleet.obtain(params, current, inBackground, fetch)
    const request = obtain(background)
      .then((obtained) => {
        if (obtained !== undefined) return obtained
        // Another process is refreshing: keep serving ours and look for theirs a little later.
        const now = options.clock()
        entry.backgroundAfter = now + clamp((entry.staleAt - now) / 8, 1000, 30_000)
        return entry.tokens === undefined ? obtain(false) : undefined
      })
      .then(
        (obtained) => {
          if (obtained === undefined) return entry.tokens!
          const { tokens, attempts } = obtained
          const expiresIn = this.#store(entry, obtained)
          if (attempts !== undefined) {
            this.#emit({
              type: 'token_fetched',
              ...target,
              expiresIn,
              expiresInAssumed: tokens.expiresIn === undefined,
              background,
              attempts,
            })
          }
          return tokens
        },
        (error: unknown) => {
          if (background) {
            // Keep serving the cached token; try again later, well before it goes stale.
            const now = options.clock()
            entry.backgroundAfter = now + clamp((entry.staleAt - now) / 2, 1000, 30_000)
          }
          this.#emit({ type: 'refresh_failed', ...target, background, error: asError(error) })
          throw error
        },
      )
    entry.inflight = request
    // Registered first, so the entry is settled before any waiter resumes.
    const settle = () => {
      if (entry.inflight === request) entry.inflight = undefined
    }
    request.then(settle, settle)
    request.catch(noop)
    return request
  }

  /** One token from the provider, retried as the options say. */
  #fetch(params: TokenParams): Promise<Obtained> {
    const options = this.#options
    const target = { scope: params.scope, resource: params.resource }
    const issuedAt = options.clock()
    let attempts = 0
    const resource =
      params.resource.length === 0
        ? undefined
        : params.resource.length === 1
          ? params.resource[0]
          : [...params.resource]
    return withRetry(
      async (signal) => {
        attempts++
        const client = await this.#client()
        return client.clientCredentials({ scope: params.scope, resource, signal })
      },
      {
        policy: options.retry,
        deadline: options.deadline,
        clock: options.clock,
        random: options.random,
        onRetry: ({ attempt, delay, error }) =>
          this.#emit({ type: 'retry_scheduled', ...target, attempt, delay, error: asError(error) }),
      },
    ).then((tokens) => ({
      tokens,
      issuedAt,
      // Measured from when the request was sent, so time in transit never extends the token.
      lifetime: Math.max(0, tokens.expiresIn ?? options.defaultExpiresIn),
      attempts,
    }))
  }

  /** Caches a token; returns its lifetime, in seconds. */
  #store(entry: Entry, { tokens, issuedAt, lifetime }: Obtained): number {
    const options = this.#options
    const leeway = Math.min(options.leeway, lifetime / 2)
    entry.tokens = tokens
    entry.last = tokens.accessToken
    entry.staleAt = issuedAt + (lifetime - leeway) * 1000
    const fraction = Math.max(0, options.refreshFraction - options.refreshJitter * options.random())
    entry.refreshAt = Math.min(entry.staleAt, issuedAt + lifetime * 1000 * fraction)
    entry.backgroundAfter = 0
    return lifetime
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
