import { introspectionRequest, processIntrospectionResponse } from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import { assertString } from './internal/assert.js'
import { tokenTypeHint } from './internal/parameters.js'
import { clientAuth, request } from './internal/request.js'
import type { IntrospectionResult, RequestOptions, TokenTypeHint } from './types.js'

/** Options of `introspectToken()` and `revokeToken()`. */
export interface TokenTypeHintOptions extends RequestOptions {
  /** What the token is, to speed up the provider's lookup. */
  tokenTypeHint?: TokenTypeHint | undefined
}

/**
 * Asks the provider whether a token is active (RFC 7662), authenticating as configured.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE`; DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED`;
 *   NetworkError; TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` without a token.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 * @example
 * ```ts
 * import { introspectToken } from '@oidckit/core'
 *
 * const { active, scope } = await introspectToken(config, token, { tokenTypeHint: 'access_token' })
 * ```
 */
export async function introspectToken(
  config: ClientConfig,
  token: string,
  options?: TokenTypeHintOptions,
): Promise<IntrospectionResult> {
  assertString(token, '`token`')
  return request(config, 'introspection', options?.signal, async (req, client) => {
    const response = await introspectionRequest(
      config.metadata,
      client,
      clientAuth(config),
      token,
      {
        ...req,
        additionalParameters: tokenTypeHint(options?.tokenTypeHint),
      },
    )
    return processIntrospectionResponse(config.metadata, client, response)
  })
}
