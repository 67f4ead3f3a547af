import type { ClientConfig } from './client-config.js'
import { argumentError } from './internal/assert.js'
import { authorizationParams } from './internal/authorization-params.js'
import { endpoint } from './internal/endpoint.js'
import { withHint } from './internal/hints.js'

/** Parameters of an authorization request; extra parameters (`prompt`, `login_hint`…) pass through. */
export interface AuthorizationUrlParams {
  /** Space-separated scopes. Default `openid`. */
  scope?: string | undefined
  /** From `randomState()`; always required (C-1). */
  state: string
  /** From `randomNonce()`; required when `scope` includes `openid`. */
  nonce?: string | undefined
  /** `createPkce().challenge`; always required (C-4). */
  codeChallenge: string
  /** Overrides the configuration's `redirectUri`. */
  redirectUri?: string | undefined
  /** Extra authorization request parameters, sent as given. */
  [parameter: string]: string | undefined
}

/**
 * Builds the authorization endpoint URL for the code flow with PKCE (`response_type=code`,
 * `code_challenge_method=S256`). Synchronous; when the provider requires PAR, use
 * `pushAuthorizationRequest()`.
 *
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` when `state` or
 *   `codeChallenge` is missing, `nonce` is missing for an `openid` scope, an extra parameter is
 *   one oidckit sets, or the provider requires pushed authorization requests; DiscoveryError
 *   `ERR_ENDPOINT_NOT_SUPPORTED` without an authorization endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 * @example
 * ```ts
 * import { buildAuthorizationUrl, createPkce, randomNonce, randomState } from '@oidckit/core'
 *
 * const pkce = await createPkce()
 * const url = buildAuthorizationUrl(config, {
 *   scope: 'openid email',
 *   state: randomState(),
 *   nonce: randomNonce(),
 *   codeChallenge: pkce.challenge,
 * })
 * location.assign(url)
 * ```
 */
export function buildAuthorizationUrl(config: ClientConfig, params: AuthorizationUrlParams): URL {
  if (config.metadata.require_pushed_authorization_requests === true) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      withHint('This provider requires pushed authorization requests.', 'par'),
    )
  }
  const url = endpoint(config, 'authorization_endpoint')
  for (const [key, value] of authorizationParams(config, params)) url.searchParams.set(key, value)
  return url
}
