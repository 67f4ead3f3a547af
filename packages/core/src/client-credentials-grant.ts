import { clientCredentialsGrantRequest, processClientCredentialsResponse } from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import { scopeAndResource } from './internal/parameters.js'
import { clientAuth, request, toTokenSet } from './internal/request.js'
import type { TokenSet } from './token-set.js'
import type { TokenRequestOptions } from './types.js'

/**
 * Gets a token for the client itself (client credentials grant), for a `scope` and RFC 8707
 * `resource`. The configuration needs a `clientAuthentication`.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE` (`invalid_client`, `invalid_scope`); NetworkError;
 *   TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on a malformed `scope` or `resource`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @example
 * ```ts
 * import { clientCredentialsGrant } from '@oidckit/core'
 *
 * const { accessToken } = await clientCredentialsGrant(config, { scope: 'api:read', resource: 'https://api.example.com' })
 * ```
 */
export async function clientCredentialsGrant<Claims extends object = object>(
  config: ClientConfig,
  options?: TokenRequestOptions,
): Promise<TokenSet<Claims>> {
  const parameters = scopeAndResource(options?.scope, options?.resource)
  return request(config, 'token', options?.signal, async (req, client) => {
    const response = await clientCredentialsGrantRequest(
      config.metadata,
      client,
      clientAuth(config),
      parameters,
      req,
    )
    const result = await processClientCredentialsResponse(config.metadata, client, response)
    return toTokenSet<Claims>(config, response, result, req)
  })
}
