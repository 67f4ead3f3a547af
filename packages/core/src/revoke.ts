import { processRevocationResponse, revocationRequest } from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import type { TokenTypeHintOptions } from './introspect.js'
import { assertString } from './internal/assert.js'
import { tokenTypeHint } from './internal/parameters.js'
import { clientAuth, request } from './internal/request.js'

/**
 * Revokes a token (RFC 7009). Resolves for an unknown token too, as the server answers 200.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE`; DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED`;
 *   NetworkError (`ERR_SERVER_ERROR` on 503: the token may still be valid, retry); TypeError
 *   `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` without a token.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 * @example
 * ```ts
 * import { revokeToken } from '@oidckit/core'
 *
 * await revokeToken(config, tokens.refreshToken!, { tokenTypeHint: 'refresh_token' })
 * ```
 */
export async function revokeToken(
  config: ClientConfig,
  token: string,
  options?: TokenTypeHintOptions,
): Promise<void> {
  assertString(token, '`token`')
  await request(config, 'revocation', options?.signal, async (req, client) => {
    const response = await revocationRequest(config.metadata, client, clientAuth(config), token, {
      ...req,
      additionalParameters: tokenTypeHint(options?.tokenTypeHint),
    })
    await processRevocationResponse(response)
  })
}
