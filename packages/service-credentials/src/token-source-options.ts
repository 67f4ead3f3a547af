import type { ClientPrivateKey, FetchLike } from '@oidckit/core'
import type { SharedTokenCache } from './shared-token-cache.js'
import type { TokenSourceEvent } from './token-source-event.js'

/**
 * How a token source obtains, caches and retries client-credentials tokens. Durations of our own
 * timers (`deadline`, `timeout`, `retry` delays) are milliseconds; token times (`leeway`,
 * `defaultExpiresIn`) are seconds, like `expires_in`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @example
 * ```ts
 * const options: TokenSourceOptions = {
 *   issuer: 'http://localhost:9400',
 *   clientId: 'service',
 *   clientSecret: 'service-secret',
 *   scope: 'api:read',
 * }
 * ```
 */
export interface TokenSourceOptions {
  /** The issuer, discovered on first use (C-12). Give it with `tokenEndpoint` to skip discovery. */
  issuer?: string | URL | undefined
  /** The token endpoint, used as is (no discovery). `private_key_jwt` also needs `issuer`. */
  tokenEndpoint?: string | URL | undefined
  clientId: string
  /** For `client_secret_basic` (the default) or `client_secret_post`. */
  clientSecret?: string | undefined
  /**
   * For `private_key_jwt` (C-11): a private `CryptoKey`, a private JWK (its `kid` is sent), or
   * `{ key, kid }`.
   */
  privateKey?: ClientPrivateKey | undefined
  /** Defaults to `private_key_jwt` with a key, else `client_secret_basic`. */
  tokenEndpointAuthMethod?:
    'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | undefined
  /** The scope to ask for (C-9: the least needed), a space-separated string or a list. */
  scope?: string | readonly string[] | undefined
  /** The RFC 8707 resource indicator(s): the API the token is for (C-9). */
  resource?: string | readonly string[] | undefined
  /** Another name for `resource`; it is sent as the RFC 8707 `resource` parameter. */
  audience?: string | readonly string[] | undefined
  /** Seconds before `expires_in` runs out that a token stops being served. Default 60. */
  leeway?: number | undefined
  /** Seconds a token without `expires_in` is assumed to live. Default 300. */
  defaultExpiresIn?: number | undefined
  /**
   * The fraction of a token's lifetime after which the next call starts a background refresh
   * while still returning the cached token. Default 0.75; 1 refreshes only once expired.
   */
  refreshFraction?: number | undefined
  /** Up to this fraction of the lifetime is randomly taken off `refreshFraction`. Default 0.1. */
  refreshJitter?: number | undefined
  /** Retries of transient failures (network, 429, 5xx); `false` turns them off. */
  retry?:
    | false
    | {
        /** Attempts in all, the first included. Default 4. */
        maxAttempts?: number | undefined
        /** Milliseconds of the first backoff, doubling each time. Default 200. */
        baseDelay?: number | undefined
        /** Largest backoff in milliseconds. Default 5000. */
        maxDelay?: number | undefined
      }
    | undefined
  /** Milliseconds one token request may take in all, retries included. Default 30 000. */
  deadline?: number | undefined
  /** Milliseconds for each HTTP exchange (core's `timeout`). Default 10 000. */
  timeout?: number | undefined
  /**
   * The fetch for the token endpoint and for `source.fetch()`, called with one `Request`.
   * Defaults to the global `fetch`.
   */
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch. Defaults to `Date.now`. */
  clock?: (() => number) | undefined
  /** A number in [0, 1) for jitter. Defaults to `Math.random`. */
  random?: (() => number) | undefined
  /**
   * A cache shared by every process of a fleet, such as `redisTokenCache()`: one token
   * request per expiry for all of them. The process cache stays in front of it, and serves
   * alone while the shared one is down.
   */
  cache?: SharedTokenCache | undefined
  /** Called with every {@link TokenSourceEvent}; a throwing listener is ignored. */
  onEvent?: ((event: TokenSourceEvent) => void) | undefined
  /** Allow `http:` issuers and endpoints on non-loopback hosts. For local development only. */
  allowInsecure?: boolean | undefined
}
