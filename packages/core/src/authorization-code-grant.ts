import {
  authorizationCodeGrantRequest,
  processAuthorizationCodeResponse,
  validateAuthResponse,
} from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import {
  argumentError,
  assertNonNegativeNumber,
  assertOptionalString,
  assertString,
  isObject,
} from './internal/assert.js'
import { mapSync } from './internal/map-error.js'
import { clientAuth, oauthClient, request, toTokenSet } from './internal/request.js'
import { addSecret } from './internal/secrets.js'
import type { TokenSet } from './token-set.js'

/** The checks an authorization response is validated against. */
export interface AuthorizationCodeChecks {
  /** The `state` sent with the authorization request. */
  state: string
  /** The `code_verifier` (`createPkce().verifier`). */
  codeVerifier: string
  /** The `nonce` sent; when given, an ID token with that nonce is required. */
  nonce?: string | undefined
  /** The `max_age` sent, in seconds; `auth_time` is then required and checked. */
  maxAge?: number | undefined
  /** The `redirect_uri` sent, when not the configuration's default. */
  redirectUri?: string | undefined
  signal?: AbortSignal | undefined
}

/**
 * Completes the code flow: validates the callback (RFC 9207 `iss`, `state`, `?error=`), redeems
 * the code with the PKCE verifier, and validates the ID token: its signature against the
 * issuer's JWKS, `iss`, `aud`, `azp`, `exp`, `iat`, `nbf`, `nonce`, `at_hash`, `auth_time`.
 *
 * @throws OAuthError `ERR_AUTHORIZATION_RESPONSE` (callback `?error=`), `ERR_OAUTH_RESPONSE`;
 *   TokenValidationError `ERR_AUTHORIZATION_RESPONSE_INVALID`, `ERR_JWT_*` (`claim` says which
 *   check); NetworkError; DiscoveryError; TypeError `ERR_INVALID_ARG_TYPE` /
 *   `ERR_INVALID_ARG_VALUE` when a check is missing.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @example
 * ```ts
 * import { authorizationCodeGrant } from '@oidckit/core'
 *
 * const tokens = await authorizationCodeGrant(config, location.href, { state, nonce, codeVerifier: pkce.verifier })
 * console.log(tokens.claims()?.sub)
 * ```
 */
export async function authorizationCodeGrant<Claims extends object = object>(
  config: ClientConfig,
  callback: string | URL | URLSearchParams,
  checks: AuthorizationCodeChecks,
): Promise<TokenSet<Claims>> {
  if (!isObject(checks)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'authorizationCodeGrant() needs its checks.')
  }
  assertString(checks.state, '`state`')
  assertString(checks.codeVerifier, '`codeVerifier`')
  assertOptionalString(checks.nonce, '`nonce`')
  assertNonNegativeNumber(checks.maxAge, '`maxAge`')
  const redirectUri = checks.redirectUri ?? config.redirectUri
  assertString(redirectUri, '`redirectUri`')
  const parameters = callbackParameters(callback)
  let validated: URLSearchParams
  try {
    validated = validateAuthResponse(config.metadata, oauthClient(config), parameters, checks.state)
  } catch (err) {
    const secrets = new Set<string>()
    addSecret(secrets, parameters.get('code'))
    addSecret(secrets, checks.codeVerifier)
    throw mapSync(err, 'callback', secrets)
  }
  return request(config, 'token', checks.signal, async (req, client) => {
    const response = await authorizationCodeGrantRequest(
      config.metadata,
      client,
      clientAuth(config),
      validated,
      redirectUri,
      checks.codeVerifier,
      req,
    )
    const result = await processAuthorizationCodeResponse(config.metadata, client, response, {
      expectedNonce: checks.nonce,
      maxAge: checks.maxAge,
    })
    return toTokenSet<Claims>(config, response, result, req)
  })
}

function callbackParameters(callback: string | URL | URLSearchParams): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback
  if (callback instanceof URL) return callback.searchParams
  if (typeof callback !== 'string') {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'The callback must be the redirect URL.')
  }
  if (callback.startsWith('?')) return new URLSearchParams(callback)
  try {
    return new URL(callback).searchParams
  } catch {
    throw argumentError('ERR_INVALID_ARG_VALUE', 'The callback must be the redirect URL.')
  }
}
