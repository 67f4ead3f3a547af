import { NetworkError, TokenSet } from '@oidckit/core'
import { argumentError, isObject } from './internal/assert.js'
import { isInvalidTokenResponse, sendWithBearer } from './internal/bearer-fetch.js'
import { createClientFactory } from './internal/client-factory.js'
import { Fleet } from './internal/fleet.js'
import { resolveOptions } from './internal/resolve-options.js'
import { TokenCache } from './internal/token-cache.js'
import { normalizeResource, normalizeScope, tokenParams } from './internal/token-params.js'
import type { TokenParams } from './internal/token-params.js'
import type { TokenSourceEvent } from './token-source-event.js'
import type { TokenSourceOptions } from './token-source-options.js'

/** Which token to get: overrides of the source's `scope` and `resource`, and a signal. */
export interface GetTokenOptions {
  /** Another scope than the source's; it gets its own cache entry. */
  scope?: string | readonly string[] | undefined
  /** Another RFC 8707 resource than the source's; it gets its own cache entry. */
  resource?: string | readonly string[] | undefined
  /** Stops this caller's wait (`NetworkError` `ERR_ABORTED`); a shared request goes on for the others. */
  signal?: AbortSignal | undefined
  /** Skip the cache and fetch a new token (joining one already in flight). */
  forceRefresh?: boolean | undefined
}

/** Which cached token `invalidate()` drops. */
export interface InvalidateOptions {
  scope?: string | readonly string[] | undefined
  resource?: string | readonly string[] | undefined
}

/**
 * A cached, single-flight source of client-credentials access tokens, and a `fetch` that sends
 * them. Created by {@link createTokenSource}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @example
 * ```ts
 * const source: TokenSource = createTokenSource({ issuer, clientId: 'service', clientSecret })
 * const token = await source.getToken()
 * ```
 */
export interface TokenSource {
  /** A valid access token: cached until `leeway` before expiry, one request however many callers. */
  getToken(options?: GetTokenOptions): Promise<string>
  /** The whole `TokenSet` (`accessToken`, `tokenType`, `expiresAt`, `scope`) behind `getToken()`. */
  getTokenSet(options?: GetTokenOptions): Promise<TokenSet>
  /**
   * `fetch` with `Authorization: Bearer`; on a 401 with `error="invalid_token"` it drops the
   * cached token and retries once with a new one.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>
  /** Drops the cached token of the source's default scope and resource, or of the ones given, or all with `'all'`. */
  invalidate(options?: InvalidateOptions | 'all'): void
}

/**
 * Creates a token source for the OAuth 2 client credentials grant: tokens are cached per
 * (scope, resource) until `leeway` seconds before they expire, refreshed in the background past
 * `refreshFraction` of their lifetime, fetched once for any number of concurrent callers, and
 * retried with backoff on network errors, 429 and 5xx. Client authentication is
 * `client_secret_basic` (default), `client_secret_post` or `private_key_jwt` (C-11), all done by
 * `@oidckit/core`. With `cache` (such as `redisTokenCache()`) a fleet of processes shares
 * one token, fetched and refreshed once between them.
 *
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on bad options;
 *   DiscoveryError `ERR_INSECURE_ENDPOINT` for an `http:` `tokenEndpoint` off loopback.
 *   `getToken()` rejects with OAuthError (`invalid_client`, `invalid_scope`: never retried),
 *   NetworkError (`ERR_TIMEOUT` past `deadline`, `ERR_ABORTED`), DiscoveryError.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @example
 * ```ts
 * import { createTokenSource } from '@oidckit/service-credentials'
 *
 * const source = createTokenSource({
 *   issuer: 'http://localhost:9400',
 *   clientId: 'service',
 *   clientSecret: 'service-secret',
 *   scope: 'api:read',
 *   resource: 'http://localhost:4000',
 * })
 * const res = await source.fetch('http://localhost:4000/api/me')
 * ```
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const config = resolveOptions(options)
  const getClient = createClientFactory(options)
  const onEvent = options.onEvent
  const emit = (event: TokenSourceEvent) => {
    try {
      onEvent?.(event)
    } catch {
      // A failing metrics hook must not fail token requests.
    }
  }
  const fleet =
    options.cache === undefined
      ? undefined
      : new Fleet(options.cache, fleetIdentity(options), config, emit)
  const cache = new TokenCache(config, getClient, emit, fleet)
  const defaults = tokenParams(config.scope, config.resource)
  const transport = options.fetch ?? ((request: Request) => fetch(request))

  const paramsFor = (overrides: InvalidateOptions | undefined): TokenParams => {
    if (overrides === undefined) return defaults
    if (!isObject(overrides)) {
      throw argumentError('ERR_INVALID_ARG_TYPE', 'The options must be an object.')
    }
    if (overrides.scope === undefined && overrides.resource === undefined) return defaults
    return tokenParams(
      overrides.scope === undefined ? defaults.scope : normalizeScope(overrides.scope),
      overrides.resource === undefined ? defaults.resource : normalizeResource(overrides.resource),
    )
  }

  const lookup = (overrides: GetTokenOptions | undefined): TokenSet | Promise<TokenSet> => {
    const params = paramsFor(overrides)
    const result = cache.get(params, overrides?.forceRefresh === true)
    return result instanceof TokenSet ? result : abortable(result, overrides?.signal)
  }

  const getTokenSet = (overrides?: GetTokenOptions): Promise<TokenSet> => {
    try {
      return Promise.resolve(lookup(overrides))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  return {
    getToken(overrides) {
      try {
        const result = lookup(overrides)
        return result instanceof TokenSet
          ? Promise.resolve(result.accessToken)
          : result.then((tokens) => tokens.accessToken)
      } catch (err) {
        return Promise.reject(err)
      }
    },
    getTokenSet,
    async fetch(input, init) {
      const request = new Request(input, init)
      // Cloned before the body is read, so the one retry can send it again.
      const replay = request.clone()
      const signal = init?.signal ?? undefined
      const first = await getTokenSet({ signal })
      const response = await sendWithBearer(transport, request, first.accessToken)
      if (!isInvalidTokenResponse(response)) return response
      emit({ type: 'token_rejected', ...target(defaults), url: request.url })
      cache.invalidateIfCurrent(defaults.key, first)
      void response.body?.cancel().catch(() => undefined)
      const second = await getTokenSet({ signal })
      return sendWithBearer(transport, replay, second.accessToken)
    },
    invalidate(which) {
      if (which === 'all') cache.invalidate()
      else cache.invalidate(paramsFor(which).key)
    },
  }
}

/** Which provider and client a shared cache entry belongs to. */
function fleetIdentity(options: TokenSourceOptions): string {
  const url = (value: string | URL | undefined) => (value === undefined ? null : String(value))
  return JSON.stringify([url(options.issuer), url(options.tokenEndpoint), options.clientId])
}

function target(params: TokenParams) {
  return { scope: params.scope, resource: params.resource }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  const aborted = () =>
    new NetworkError('ERR_ABORTED', 'Waiting for the access token was aborted by its signal.', {
      cause: signal.reason,
    })
  if (signal.aborted) return Promise.reject(aborted())
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
