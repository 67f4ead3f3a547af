import type { ClientConfig } from '../client-config.js'
import { DiscoveryError } from '../errors.js'
import { withHint } from './hints.js'

/** The URL of a front-channel endpoint, or `ERR_ENDPOINT_NOT_SUPPORTED`. */
export function endpoint(
  config: ClientConfig,
  name: 'authorization_endpoint' | 'end_session_endpoint',
): URL {
  const value = config.metadata[name]
  if (typeof value !== 'string') {
    throw new DiscoveryError(
      'ERR_ENDPOINT_NOT_SUPPORTED',
      withHint(`The provider ${config.metadata.issuer} advertises no ${name}.`, 'unsupported'),
    )
  }
  return new URL(value)
}
