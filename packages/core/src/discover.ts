import type { ClientConfig } from './client-config.js'
import type { DiscoverConfigOptions } from './client-options.js'
import { checkConfigOptions, configure } from './internal/config.js'
import { discoverMetadata } from './internal/discovery.js'

/**
 * Discovers the provider at `issuer` (`/.well-known/openid-configuration`) and returns the
 * frozen client configuration every protocol function takes. Documents are cached per issuer
 * (and per `fetch`) for `cacheTtl`; concurrent discoveries share one request.
 *
 * @throws DiscoveryError `ERR_DISCOVERY_ISSUER_MISMATCH`, `ERR_DISCOVERY_INVALID`,
 *   `ERR_INSECURE_ENDPOINT`; NetworkError on transport failures; TypeError
 *   `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on bad options.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @example
 * ```ts
 * import { discover } from '@oidckit/core'
 *
 * const config = await discover({
 *   issuer: 'http://localhost:9400',
 *   clientId: 'spa',
 *   redirectUri: 'http://localhost:5173/callback',
 * })
 * ```
 */
export async function discover(options: DiscoverConfigOptions): Promise<ClientConfig> {
  checkConfigOptions(options)
  return configure(await discoverMetadata(options), options)
}
