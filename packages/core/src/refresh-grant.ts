import { processRefreshTokenResponse, refreshTokenGrantRequest } from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import { assertString } from './internal/assert.js'
import { scopeAndResource } from './internal/parameters.js'
import { clientAuth, request, toTokenSet } from './internal/request.js'
import { TokenSet } from './token-set.js'
import type { TokenRequestOptions } from './types.js'

/**
 * Refreshes tokens. Given the previous `TokenSet`, a new ID token must describe the same
 * authentication (RP-5), and the refresh token and ID token are carried over when the response
 * omits them.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE` (`invalid_grant`: sign in again); TokenValidationError;
 *   NetworkError; TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` without a refresh
 *   token.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 * @example
 * ```ts
 * import { refreshGrant } from '@oidckit/core'
 *
 * tokens = await refreshGrant(config, tokens)
 * ```
 */
export async function refreshGrant<Claims extends object = object>(
  config: ClientConfig,
  token: string | TokenSet<Claims>,
  options?: TokenRequestOptions,
): Promise<TokenSet<Claims>> {
  const previous = token instanceof TokenSet ? token : undefined
  const refreshToken = previous ? previous.refreshToken : token
  assertString(refreshToken, '`refreshToken`')
  const additionalParameters = scopeAndResource(options?.scope, options?.resource)
  return request(config, 'token', options?.signal, async (req, client) => {
    const response = await refreshTokenGrantRequest(
      config.metadata,
      client,
      clientAuth(config),
      refreshToken,
      { ...req, additionalParameters },
    )
    const result = await processRefreshTokenResponse(config.metadata, client, response)
    return toTokenSet(config, response, result, req, previous)
  })
}
