import type { ClientConfig } from './client-config.js'
import { assertOptionalString } from './internal/assert.js'
import { endpoint } from './internal/endpoint.js'
import { TokenSet } from './token-set.js'

/** Parameters of the RP-initiated logout URL; extra string parameters pass through. */
export interface EndSessionUrlParams {
  /** The ID token, or the `TokenSet` holding it. */
  idTokenHint?: string | TokenSet<object> | undefined
  /** Where the provider sends the browser after logout; registered with the client. */
  postLogoutRedirectUri?: string | undefined
  state?: string | undefined
  [parameter: string]: unknown
}

/**
 * Builds the RP-initiated logout URL (`end_session_endpoint`) with `id_token_hint`,
 * `post_logout_redirect_uri`, `state` and `client_id`.
 *
 * @throws DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED` when the provider has no end session
 *   endpoint; TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` on a malformed parameter.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @example
 * ```ts
 * import { buildEndSessionUrl } from '@oidckit/core'
 *
 * location.assign(buildEndSessionUrl(config, { idTokenHint: tokens.idToken, postLogoutRedirectUri: 'http://localhost:5173/' }))
 * ```
 */
export function buildEndSessionUrl(config: ClientConfig, params?: EndSessionUrlParams): URL {
  const url = endpoint(config, 'end_session_endpoint')
  const { idTokenHint, postLogoutRedirectUri, state, ...extra } = params ?? {}
  const hint = idTokenHint instanceof TokenSet ? idTokenHint.idToken : idTokenHint
  assertOptionalString(hint, '`idTokenHint`')
  assertOptionalString(postLogoutRedirectUri, '`postLogoutRedirectUri`')
  assertOptionalString(state, '`state`')
  url.searchParams.set('client_id', config.clientId)
  if (hint) url.searchParams.set('id_token_hint', hint)
  if (postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri)
  if (state) url.searchParams.set('state', state)
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value === 'string') url.searchParams.set(key, value)
  }
  return url
}
