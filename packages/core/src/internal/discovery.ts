import {
  allowInsecureRequests,
  customFetch,
  discoveryRequest,
  INVALID_RESPONSE,
  JSON_ATTRIBUTE_COMPARISON,
  OperationProcessingError,
  processDiscoveryResponse,
} from 'oauth4webapi'
import { DiscoveryError } from '../errors.js'
import type { FetchLike, IssuerMetadata } from '../types.js'
import { argumentError, assertNonNegativeNumber, isObject } from './assert.js'
import { withHint } from './hints.js'
import { createHttp, transport } from './http.js'
import type { CustomFetch } from './http.js'
import { mapSync } from './map-error.js'

export const DEFAULT_CACHE_TTL = 10 * 60_000

/** `http:` is acceptable without opt-in only on loopback hosts (RFC 8252 §7.3). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(hostname)
  )
}

/** Parses the issuer option and refuses `http:` off loopback unless `allowInsecure` (RP-7). */
export function parseIssuer(issuer: unknown, allowInsecure: boolean): URL {
  if (typeof issuer !== 'string' && !(issuer instanceof URL)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`issuer` must be a URL string.')
  }
  let url: URL | undefined
  try {
    url = new URL(issuer)
  } catch {
    // Refused below.
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      `\`issuer\` ${String(issuer)} is not an https URL without query or fragment.`,
    )
  }
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      withHint(`\`issuer\` ${url.href} uses http on a non-loopback host.`, 'insecure'),
    )
  }
  return url
}

/** Checks every endpoint of the metadata: a valid URL, https unless insecure is permitted. */
export function checkMetadata(
  metadata: unknown,
  issuer: string,
  allowHttp: (url: URL) => boolean,
): asserts metadata is IssuerMetadata {
  if (!isObject(metadata) || typeof metadata.issuer !== 'string') {
    throw new DiscoveryError('ERR_DISCOVERY_INVALID', `The metadata of ${issuer} has no "issuer".`)
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (!(key.endsWith('_endpoint') || key === 'jwks_uri')) continue
    let url: URL
    try {
      url = new URL(String(value))
    } catch {
      throw new DiscoveryError('ERR_DISCOVERY_INVALID', `The metadata's "${key}" is invalid.`)
    }
    if (url.protocol === 'https:') continue
    if (url.protocol !== 'http:' || !allowHttp(url)) {
      throw new DiscoveryError(
        'ERR_INSECURE_ENDPOINT',
        withHint(`The metadata's "${key}" ${url.href} is not https.`, 'insecureMetadata'),
      )
    }
  }
  for (const key of [
    'require_pushed_authorization_requests',
    'authorization_response_iss_parameter_supported',
  ]) {
    if (metadata[key] !== undefined && typeof metadata[key] !== 'boolean') {
      throw new DiscoveryError('ERR_DISCOVERY_INVALID', `The metadata's "${key}" is invalid.`)
    }
  }
}

/** Fetches and validates the discovery document of `issuer`. */
export async function fetchMetadata(
  issuer: URL,
  expected: string,
  http: CustomFetch,
  allowHttp: (url: URL) => boolean,
): Promise<IssuerMetadata> {
  let metadata: IssuerMetadata
  try {
    const response = await discoveryRequest(issuer, {
      [customFetch]: http,
      [allowInsecureRequests]: true,
    })
    metadata = await processDiscoveryResponse(issuer, response)
  } catch (err) {
    if (err instanceof OperationProcessingError && isObject(err.cause)) {
      const body = isObject(err.cause.body) ? err.cause.body : undefined
      if (err.code === JSON_ATTRIBUTE_COMPARISON && typeof body?.issuer === 'string') {
        throw new DiscoveryError(
          'ERR_DISCOVERY_ISSUER_MISMATCH',
          withHint(
            `The provider at ${expected} says its issuer is ${body.issuer}.`,
            'issuerMismatch',
            expected,
            body.issuer,
          ),
          { expectedIssuer: expected, actualIssuer: body.issuer, cause: err },
        )
      }
      if (err.code === INVALID_RESPONSE) {
        throw new DiscoveryError(
          'ERR_DISCOVERY_INVALID',
          `The discovery document is malformed: ${err.message}.`,
          { cause: err },
        )
      }
    }
    throw mapSync(err, 'discovery')
  }
  checkMetadata(metadata, issuer.href, allowHttp)
  return Object.freeze(metadata)
}

interface CacheEntry {
  promise: Promise<IssuerMetadata>
  fetchedAt: number
}

// Keyed by the fetch implementation too: two in-process providers may share an issuer URL.
const caches = new WeakMap<object, Map<string, CacheEntry>>()
const globalFetchKey = {}

/** The metadata cache: one in-flight or fresh fetch per (fetch, issuer). */
export function cachedMetadata(
  key: {
    fetch: FetchLike | undefined
    issuer: URL
    now: number
    ttl: number
    forceRefresh: boolean
  },
  load: () => Promise<IssuerMetadata>,
): Promise<IssuerMetadata> {
  const fetchKey = key.fetch ?? globalFetchKey
  let cache = caches.get(fetchKey)
  if (!cache) {
    cache = new Map()
    caches.set(fetchKey, cache)
  }
  const existing = cache.get(key.issuer.href)
  if (existing && !key.forceRefresh && key.now - existing.fetchedAt < key.ttl)
    return existing.promise
  const entry: CacheEntry = { promise: load(), fetchedAt: key.now }
  cache.set(key.issuer.href, entry)
  entry.promise.catch(() => {
    if (cache.get(key.issuer.href) === entry) cache.delete(key.issuer.href)
  })
  return entry.promise
}

/** Whether `url` may be fetched over `http:`: loopback endpoints of a loopback issuer, or all. */
function httpPolicy(issuer: URL, allowInsecure: boolean): (url: URL) => boolean {
  return (url) => allowInsecure || (issuer.protocol === 'http:' && isLoopbackHost(url.hostname))
}

/** The discovery step of `discover()` and `Client.discover()`: the checked, cached metadata. */
export function discoverMetadata(options: {
  issuer: string | URL
  fetch?: FetchLike | undefined
  clock?: (() => number) | undefined
  timeout?: number | undefined
  maxResponseBytes?: number | undefined
  allowInsecure?: boolean | undefined
  cacheTtl?: number | undefined
  forceRefresh?: boolean | undefined
}): Promise<IssuerMetadata> {
  assertNonNegativeNumber(options.cacheTtl, '`cacheTtl`')
  const allowInsecure = options.allowInsecure === true
  const issuer = parseIssuer(options.issuer, allowInsecure)
  const allowHttp = httpPolicy(issuer, allowInsecure)
  const http = createHttp(transport(options))
  return cachedMetadata(
    {
      fetch: options.fetch,
      issuer,
      now: (options.clock ?? Date.now)(),
      ttl: options.cacheTtl ?? DEFAULT_CACHE_TTL,
      forceRefresh: options.forceRefresh === true,
    },
    () => fetchMetadata(issuer, String(options.issuer), http, allowHttp),
  )
}

/** Metadata the caller already has, checked like a discovered document and frozen. */
export function checkedMetadata(metadata: unknown, allowInsecure: boolean): IssuerMetadata {
  if (!isObject(metadata)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`metadata` must be a discovery document object.')
  }
  const issuer = parseIssuer(metadata.issuer, allowInsecure)
  checkMetadata(metadata, metadata.issuer as string, httpPolicy(issuer, allowInsecure))
  return Object.freeze({ ...metadata })
}
