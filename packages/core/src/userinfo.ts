import {
  processUserInfoResponse,
  userInfoRequest,
  validateApplicationLevelSignature,
} from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import { argumentError, assertString } from './internal/assert.js'
import { request } from './internal/request.js'
import { TokenSet } from './token-set.js'
import type { RequestOptions, UserInfo } from './types.js'

/** Options of `fetchUserinfo()`. */
export interface UserinfoOptions extends RequestOptions {
  /** The `sub` the response must have; default the ID token's, when given a `TokenSet`. */
  expectedSubject?: string | undefined
}

/**
 * Fetches the UserInfo claims. With a `TokenSet`, the response's `sub` must equal its ID token's
 * (RP-6); with a bare access token pass `expectedSubject`. A signed response is verified.
 *
 * @throws TokenValidationError `ERR_USERINFO_SUBJECT_MISMATCH`; OAuthError `ERR_OAUTH_RESPONSE`
 *   (`invalid_token`); NetworkError; TypeError `ERR_INVALID_ARG_VALUE` when there is no subject
 *   to check against.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 * @example
 * ```ts
 * import { fetchUserinfo } from '@oidckit/core'
 *
 * const info = await fetchUserinfo(config, tokens)
 * console.log(info.sub, info.email)
 * ```
 */
export async function fetchUserinfo<Claims extends object = object>(
  config: ClientConfig,
  tokens: TokenSet<Claims> | string,
  options?: UserinfoOptions,
): Promise<UserInfo<Claims>> {
  const accessToken = tokens instanceof TokenSet ? tokens.accessToken : tokens
  assertString(accessToken, '`accessToken`')
  const expected =
    options?.expectedSubject ?? (tokens instanceof TokenSet ? tokens.claims()?.sub : undefined)
  if (typeof expected !== 'string' || expected === '') {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      'userinfo() needs a subject to check the response against (RP-6): pass a TokenSet with an ID token, or `{ expectedSubject }`.',
    )
  }
  return request(config, 'userinfo', options?.signal, async (req, client) => {
    const response = await userInfoRequest(config.metadata, client, accessToken, req)
    const signed = response.headers.get('content-type')?.startsWith('application/jwt') === true
    const result = await processUserInfoResponse(config.metadata, client, expected, response)
    if (signed) await validateApplicationLevelSignature(config.metadata, response, req)
    return result as unknown as UserInfo<Claims>
  })
}
