import type { ClientConfig } from '../client-config.js'
import type { ClientConfigOptions, ClientOptions } from '../client-options.js'
import type { IssuerMetadata } from '../types.js'
import {
  argumentError,
  assertNonNegativeNumber,
  assertOptionalString,
  assertString,
  isObject,
} from './assert.js'
import { withHint } from './hints.js'

/** Checks the options every client and configuration shares. */
export function checkOptions(options: ClientOptions | ClientConfigOptions): void {
  if (!isObject(options))
    throw argumentError('ERR_INVALID_ARG_TYPE', 'Client options must be an object.')
  assertString(options.clientId, '`clientId`')
  assertOptionalString((options as ClientOptions).clientSecret, '`clientSecret`')
  assertOptionalString(options.redirectUri, '`redirectUri`')
  assertOptionalString(options.idTokenSigningAlg, '`idTokenSigningAlg`')
  // RP-2: only asymmetric signatures from the issuer's JWKS.
  if (options.idTokenSigningAlg && /^(none|HS\d+)$/i.test(options.idTokenSigningAlg)) {
    throw argumentError('ERR_INVALID_ARG_VALUE', '`idTokenSigningAlg` must be asymmetric.')
  }
  assertNonNegativeNumber(options.clockTolerance, '`clockTolerance`')
  assertNonNegativeNumber(options.timeout, '`timeout`')
  assertNonNegativeNumber(options.maxResponseBytes, '`maxResponseBytes`')
  assertFunctions(options, ['fetch', 'clock'])
}

function assertFunctions(options: object, names: string[]): void {
  for (const name of names) {
    const value = (options as Record<string, unknown>)[name]
    if (value !== undefined && typeof value !== 'function') {
      throw argumentError('ERR_INVALID_ARG_TYPE', `\`${name}\` must be a function.`)
    }
  }
}

/** Checks the options of `discover()` and `createClientConfig()`: credentials come as a function. */
export function checkConfigOptions(options: ClientConfigOptions): void {
  checkOptions(options)
  const { clientSecret, privateKey, tokenEndpointAuthMethod } = options as ClientOptions
  if (clientSecret !== undefined || privateKey !== undefined || tokenEndpointAuthMethod) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      withHint('Pass client credentials as `clientAuthentication`.', 'credentials'),
    )
  }
  // The result of createClientAuthentication().
  assertFunctions(options, ['clientAuthentication'])
}

/** The frozen configuration of checked options and metadata. */
export function configure(metadata: IssuerMetadata, options: ClientConfigOptions): ClientConfig {
  const {
    issuer: _issuer,
    cacheTtl: _cacheTtl,
    forceRefresh: _forceRefresh,
    ...rest
  } = options as ClientConfigOptions & {
    issuer?: unknown
    cacheTtl?: unknown
    forceRefresh?: unknown
  }
  return Object.freeze({
    metadata,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    options: Object.freeze(rest),
  })
}
