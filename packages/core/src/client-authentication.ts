import type { ClientAuthenticationOptions } from './client-options.js'
import { argumentError, assertOptionalString, isObject } from './internal/assert.js'
import { createClientAuth, resolveAuthMethod } from './internal/client-auth.js'
import type { ClientAuthentication } from './types.js'

/**
 * Makes the client authentication of a confidential client, for the `clientAuthentication`
 * option of `discover()` and `createClientConfig()`: `private_key_jwt` with a `privateKey`, else
 * with a `clientSecret` `client_secret_basic` (or `_post` when the provider only advertises
 * that), unless `tokenEndpointAuthMethod` names one. Without credentials it is `none`.
 *
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on an unknown method or a
 *   method without its credential.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @example
 * ```ts
 * import { clientCredentialsGrant, createClientAuthentication, discover } from '@oidckit/core'
 *
 * const config = await discover({
 *   issuer: 'http://localhost:9400',
 *   clientId: 'service',
 *   clientAuthentication: createClientAuthentication({ clientSecret: 'service-secret' }),
 * })
 * const tokens = await clientCredentialsGrant(config, { scope: 'api:read' })
 * ```
 */
export function createClientAuthentication(
  options: ClientAuthenticationOptions,
): ClientAuthentication {
  if (!isObject(options)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'Client credentials must be an object.')
  }
  const credentials = { ...options }
  assertOptionalString(credentials.clientSecret, '`clientSecret`')
  const method = resolveAuthMethod(credentials)
  // Only basic-or-post depends on the provider: decided per request, from its metadata.
  if (credentials.tokenEndpointAuthMethod !== undefined || method !== 'client_secret_basic') {
    return createClientAuth(method, credentials)
  }
  return (as, client, body, headers) =>
    createClientAuth(resolveAuthMethod(credentials, as), credentials)(as, client, body, headers)
}
