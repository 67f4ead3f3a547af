import type { ClientConfigOptions } from './client-options.js'
import { checkedMetadata } from './internal/discovery.js'
import { checkConfigOptions, configure } from './internal/config.js'
import type { IssuerMetadata } from './types.js'

/**
 * A client of one provider, frozen: the provider's metadata, the client's identity and the
 * options every operation uses. Made by `discover()` or `createClientConfig()`, and passed as
 * the first argument of every protocol function (`authorizationCodeGrant()`, `refreshGrant()`…).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @example
 * ```ts
 * import { discover } from '@oidckit/core'
 *
 * const config: ClientConfig = await discover({ issuer: 'https://id.example.com', clientId: 'spa' })
 * console.log(config.metadata.token_endpoint)
 * ```
 */
export interface ClientConfig {
  /** The provider's discovery metadata, as it published it (frozen). */
  readonly metadata: IssuerMetadata
  /** The registered `client_id`. */
  readonly clientId: string
  /** The default `redirect_uri` of authorization requests and code exchanges. */
  readonly redirectUri: string | undefined
  /** The options the configuration was made with, without `issuer` and the discovery options. */
  readonly options: Readonly<ClientConfigOptions>
}

/**
 * Makes a client configuration from metadata you already have (a stored or hand-written
 * discovery document), with no network request. Endpoints are checked like discovered ones.
 *
 * @throws DiscoveryError `ERR_DISCOVERY_INVALID`, `ERR_INSECURE_ENDPOINT`; TypeError
 *   `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on bad options.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @example
 * ```ts
 * import { createClientAuthentication, createClientConfig } from '@oidckit/core'
 *
 * const config = createClientConfig(
 *   { issuer: 'https://id.example.com', token_endpoint: 'https://id.example.com/token' },
 *   { clientId: 'service', clientAuthentication: createClientAuthentication({ clientSecret: 'secret' }) },
 * )
 * ```
 */
export function createClientConfig(
  metadata: IssuerMetadata,
  options: ClientConfigOptions,
): ClientConfig {
  checkConfigOptions(options)
  return configure(checkedMetadata(metadata, options.allowInsecure === true), options)
}
