/** Which token an event is about: the scope and RFC 8707 resources of its cache entry. */
export interface TokenSourceEventTarget {
  /** The normalised scope (sorted, space-separated), or `undefined` for the provider's default. */
  readonly scope: string | undefined
  /** The RFC 8707 resource indicators asked for, sorted; empty when none. */
  readonly resource: readonly string[]
}

/** A token was obtained from the token endpoint. */
export interface TokenFetchedEvent extends TokenSourceEventTarget {
  readonly type: 'token_fetched'
  /** Seconds the token is valid for: the provider's `expires_in`, or `defaultExpiresIn`. */
  readonly expiresIn: number
  /** `true` when the provider sent no `expires_in` and `defaultExpiresIn` was assumed. */
  readonly expiresInAssumed: boolean
  /** `true` for a proactive refresh nobody was waiting for. */
  readonly background: boolean
  /** How many requests it took, retries included. */
  readonly attempts: number
}

/** A token request failed for good (after its retries); waiting callers were rejected. */
export interface RefreshFailedEvent extends TokenSourceEventTarget {
  readonly type: 'refresh_failed'
  /** `true` for a proactive refresh: the cached token is still served until it expires. */
  readonly background: boolean
  /** The core error (`OAuthError`, `NetworkError`, `DiscoveryError`…); it never holds the token or secret. */
  readonly error: Error
}

/** A token request failed transiently and will be tried again after `delay`. */
export interface RetryScheduledEvent extends TokenSourceEventTarget {
  readonly type: 'retry_scheduled'
  /** The attempt that failed, from 1. */
  readonly attempt: number
  /** Milliseconds until the next attempt (backoff with jitter, or the server's `Retry-After`). */
  readonly delay: number
  readonly error: Error
}

/** A resource server refused the token with `invalid_token`; it was dropped from the cache. */
export interface TokenRejectedEvent extends TokenSourceEventTarget {
  readonly type: 'token_rejected'
  /** The URL of the refused request. */
  readonly url: string
}

/**
 * The shared cache (`cache` option, e.g. Redis) failed: the token source serves from its process
 * cache and asks the provider directly, and leaves the shared cache alone for `retryIn`.
 */
export interface CacheFailedEvent extends TokenSourceEventTarget {
  readonly type: 'cache_failed'
  /** What was being done: reading, storing or dropping a token, or taking or releasing the lock. */
  readonly operation: 'get' | 'set' | 'delete' | 'lock' | 'unlock'
  /** Milliseconds before the shared cache is tried again (doubling from 1 s to 30 s). */
  readonly retryIn: number
  /** Usually a NetworkError, `ERR_CONNECTION_FAILED` or `ERR_TIMEOUT`, the client's error as `cause`. */
  readonly error: Error
}

/**
 * What a token source reports to `onEvent`, for metrics and logs. No event ever carries the
 * access token or the client secret (RP-18), so every one can be logged as it is.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.9.3
 * @example
 * ```ts
 * const onEvent = (event: TokenSourceEvent) => {
 *   if (event.type === 'refresh_failed') console.warn('token refresh failed', event.error.message)
 * }
 * ```
 */
export type TokenSourceEvent =
  | TokenFetchedEvent
  | RefreshFailedEvent
  | RetryScheduledEvent
  | TokenRejectedEvent
  | CacheFailedEvent
