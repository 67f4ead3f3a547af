import { processPushedAuthorizationResponse, pushedAuthorizationRequest } from 'oauth4webapi'
import type { AuthorizationUrlParams } from './authorization-url.js'
import type { ClientConfig } from './client-config.js'
import { authorizationParams } from './internal/authorization-params.js'
import { endpoint } from './internal/endpoint.js'
import { clientAuth, request } from './internal/request.js'
import type { RequestOptions } from './types.js'

/**
 * Pushes an authorization request to the provider (PAR) and returns the short authorization URL
 * that carries only `client_id` and the `request_uri` it answered. The parameters are those of
 * `buildAuthorizationUrl()`; the client authenticates as configured.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE` when the PAR endpoint refuses; DiscoveryError
 *   `ERR_ENDPOINT_NOT_SUPPORTED` without a PAR endpoint; NetworkError; TypeError like
 *   `buildAuthorizationUrl()`.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 * @example
 * ```ts
 * import { pushAuthorizationRequest } from '@oidckit/core'
 *
 * const url = await pushAuthorizationRequest(config, { scope: 'openid', state, nonce, codeChallenge: pkce.challenge })
 * location.assign(url)
 * ```
 */
export async function pushAuthorizationRequest(
  config: ClientConfig,
  params: AuthorizationUrlParams,
  options?: RequestOptions,
): Promise<URL> {
  const parameters = authorizationParams(config, params)
  const url = endpoint(config, 'authorization_endpoint')
  const result = await request(config, 'par', options?.signal, async (req, client) => {
    const response = await pushedAuthorizationRequest(
      config.metadata,
      client,
      clientAuth(config),
      parameters,
      req,
    )
    return processPushedAuthorizationResponse(config.metadata, client, response)
  })
  url.searchParams.set('client_id', config.clientId)
  url.searchParams.set('request_uri', result.request_uri)
  return url
}
