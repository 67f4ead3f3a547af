import type { AuthorizationUrlParams } from '../authorization-url.js'
import type { ClientConfig } from '../client-config.js'
import { argumentError, assertOptionalString, assertString, isObject } from './assert.js'
import { withHint } from './hints.js'

const reserved = [
  'client_id',
  'response_type',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'request_uri',
]

/** The parameters of an authorization request: code flow, PKCE S256, state, nonce (C-1, C-4). */
export function authorizationParams(
  config: ClientConfig,
  params: AuthorizationUrlParams,
): URLSearchParams {
  if (!isObject(params)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'The authorization parameters must be an object.')
  }
  const { scope = 'openid', state, nonce, codeChallenge, redirectUri, ...extra } = params
  assertString(state, '`state`')
  assertString(codeChallenge, '`codeChallenge`')
  assertString(scope, '`scope`')
  if (scope.split(' ').includes('openid')) assertString(nonce, '`nonce`')
  else assertOptionalString(nonce, '`nonce`')
  const redirect = redirectUri ?? config.redirectUri
  assertString(redirect, '`redirectUri`')
  const parameters = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: redirect,
    scope,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  })
  if (nonce !== undefined) parameters.set('nonce', nonce)
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) continue
    if (reserved.includes(key) || parameters.has(key)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        withHint(`The authorization parameter \`${key}\` is set by oidckit.`, 'reserved'),
      )
    }
    assertString(value, `\`${key}\``)
    parameters.set(key, value)
  }
  return parameters
}
