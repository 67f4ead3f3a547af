import { Client } from '@oidckit/core'
import type {
  ClientOptions,
  ClientPrivateKey,
  FetchLike,
  TokenEndpointAuthMethod,
} from '@oidckit/core'
import { argumentError } from './assert.js'

export interface ClientFactoryOptions {
  issuer?: string | URL | undefined
  tokenEndpoint?: string | URL | undefined
  clientId: string
  clientSecret?: string | undefined
  privateKey?: ClientPrivateKey | undefined
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined
  fetch?: FetchLike | undefined
  clock?: (() => number) | undefined
  timeout?: number | undefined
  allowInsecure?: boolean | undefined
}

/**
 * Returns a function giving the core `Client`: built at once from `tokenEndpoint` (so a bad
 * endpoint throws from `createTokenSource`), or discovered on first use from `issuer` and kept.
 * A failed discovery is not kept, so the next token request discovers again.
 */
export function createClientFactory(
  options: ClientFactoryOptions,
): (signal?: AbortSignal) => Promise<Client> {
  const clientOptions: ClientOptions = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    privateKey: options.privateKey,
    tokenEndpointAuthMethod: options.tokenEndpointAuthMethod,
    fetch: options.fetch,
    clock: options.clock,
    timeout: options.timeout,
    allowInsecure: options.allowInsecure,
  }
  if (options.tokenEndpoint !== undefined) {
    const endpoint = parseUrl(options.tokenEndpoint, '`tokenEndpoint`')
    if (options.issuer === undefined && options.privateKey !== undefined) {
      // RP-18: the assertion's `aud` is the issuer identifier, which the endpoint does not tell.
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        'private_key_jwt needs `issuer` (the client assertion audience, RP-18) alongside `tokenEndpoint`.',
      )
    }
    // An issuer identifier is compared as a string: keep it exactly as given.
    const issuer =
      options.issuer === undefined
        ? endpoint.origin
        : typeof options.issuer === 'string'
          ? (parseUrl(options.issuer, '`issuer`'), options.issuer)
          : parseUrl(options.issuer, '`issuer`').href
    const client = Client.fromMetadata({ issuer, token_endpoint: endpoint.href }, clientOptions)
    const ready = Promise.resolve(client)
    return () => ready
  }
  if (options.issuer === undefined) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      'createTokenSource() needs `issuer` (discovered) or `tokenEndpoint`.',
    )
  }
  const issuer = options.issuer
  let pending: Promise<Client> | undefined
  return () => {
    pending ??= Client.discover({ ...clientOptions, issuer }).catch((err: unknown) => {
      pending = undefined
      throw err
    })
    return pending
  }
}

function parseUrl(value: string | URL, name: string): URL {
  if (value instanceof URL) return value
  if (typeof value !== 'string') {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a URL string or a URL.`)
  }
  try {
    return new URL(value)
  } catch {
    throw argumentError('ERR_INVALID_ARG_VALUE', `${name} ${JSON.stringify(value)} is not a URL.`)
  }
}
