import type { TokenSourceOptions } from '../token-source-options.js'
import {
  argumentError,
  assertOptionalFunction,
  assertOptionalNumber,
  assertOptionalString,
  isObject,
} from './assert.js'
import type { RetryPolicy } from './retry.js'
import { normalizeScope, pickResource } from './token-params.js'

/** The validated options with every default filled in. */
export interface ResolvedOptions {
  readonly scope: string | undefined
  readonly resource: readonly string[]
  readonly leeway: number
  readonly defaultExpiresIn: number
  readonly refreshFraction: number
  readonly refreshJitter: number
  readonly retry: RetryPolicy
  readonly deadline: number
  readonly clock: () => number
  readonly random: () => number
}

// A service authenticates: `none` cannot use the client credentials grant (RFC 6749 §4.4).
const authMethods: readonly string[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
]

/** Checks every option, so misuse throws a coded `TypeError` from `createTokenSource()`. */
export function resolveOptions(options: TokenSourceOptions): ResolvedOptions {
  if (!isObject(options)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'createTokenSource() needs an options object.')
  }
  assertOptionalString(options.clientId, '`clientId`')
  if (options.clientId === undefined) {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`clientId` must be a non-empty string.')
  }
  assertOptionalString(options.clientSecret, '`clientSecret`')
  if (options.clientSecret === undefined && options.privateKey === undefined) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      'The client credentials grant needs client authentication: pass `clientSecret` or `privateKey`.',
    )
  }
  const method = options.tokenEndpointAuthMethod
  if (method !== undefined && !authMethods.includes(method)) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      `\`tokenEndpointAuthMethod\` must be one of ${authMethods.join(', ')}; got ${JSON.stringify(method)}.`,
    )
  }
  assertOptionalNumber(options.leeway, '`leeway`', 0)
  assertOptionalNumber(options.defaultExpiresIn, '`defaultExpiresIn`', 1)
  assertOptionalNumber(options.refreshFraction, '`refreshFraction`', 0, 1)
  assertOptionalNumber(options.refreshJitter, '`refreshJitter`', 0, 1)
  assertOptionalNumber(options.deadline, '`deadline`', 1)
  assertOptionalNumber(options.timeout, '`timeout`', 1)
  assertOptionalFunction(options.fetch, '`fetch`')
  assertOptionalFunction(options.clock, '`clock`')
  assertOptionalFunction(options.random, '`random`')
  assertOptionalFunction(options.onEvent, '`onEvent`')
  const cache: unknown = options.cache
  if (
    cache !== undefined &&
    (!isObject(cache) ||
      !['get', 'set', 'delete', 'lock'].every((method) => typeof cache[method] === 'function'))
  ) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      '`cache` must be a SharedTokenCache (get, set, delete, lock), such as redisTokenCache().',
    )
  }
  return {
    scope: normalizeScope(options.scope),
    resource: pickResource(options.resource, options.audience),
    leeway: options.leeway ?? 60,
    defaultExpiresIn: options.defaultExpiresIn ?? 300,
    refreshFraction: options.refreshFraction ?? 0.75,
    refreshJitter: options.refreshJitter ?? 0.1,
    retry: resolveRetry(options.retry),
    deadline: options.deadline ?? 30_000,
    clock: options.clock ?? (() => Date.now()),
    random: options.random ?? Math.random,
  }
}

function resolveRetry(retry: TokenSourceOptions['retry']): RetryPolicy {
  if (retry === false) return { maxAttempts: 1, baseDelay: 0, maxDelay: 0 }
  if (retry !== undefined && !isObject(retry)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`retry` must be an object or false.')
  }
  assertOptionalNumber(retry?.maxAttempts, '`retry.maxAttempts`', 1, 100)
  assertOptionalNumber(retry?.baseDelay, '`retry.baseDelay`', 0)
  assertOptionalNumber(retry?.maxDelay, '`retry.maxDelay`', 0)
  return {
    maxAttempts: Math.floor(retry?.maxAttempts ?? 4),
    baseDelay: retry?.baseDelay ?? 200,
    maxDelay: retry?.maxDelay ?? 5000,
  }
}
