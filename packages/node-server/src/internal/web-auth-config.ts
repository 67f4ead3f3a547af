import { ASYMMETRIC_ALGORITHMS } from './jws.js'
import { checkForwardNames, checkParams } from './login-params.js'
import { argumentError, optionalNumber } from './options.js'
import type { WebAuthOptions } from '../web-auth-options.js'

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/** The options of `createWebAuth()`, checked, with their defaults. */
export function resolveWebAuthOptions(options: WebAuthOptions) {
  if (typeof options !== 'object' || options === null) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      'createWebAuth() needs { issuer, clientId, baseUrl, secret }.',
    )
  }
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret
  if (
    !Array.isArray(secrets) ||
    secrets.length === 0 ||
    secrets.some((s) => typeof s !== 'string' || s.length < 32)
  ) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`secret` must be a string of at least 32 characters (or a list of them).',
    )
  }
  let base: URL
  try {
    base = new URL(options.baseUrl)
  } catch {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`baseUrl` must be an absolute URL such as https://app.example.com.',
    )
  }
  const secure = base.protocol === 'https:'
  if (!secure && !(base.protocol === 'http:' && isLoopback(base.hostname))) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`baseUrl` must use https (http is allowed on localhost only).',
    )
  }
  const origin = base.origin
  const basePath = base.pathname.replace(/\/$/, '')
  const logoutAlgorithms = new Set<string>(options.logoutTokenAlgorithms ?? ASYMMETRIC_ALGORITHMS)
  for (const alg of logoutAlgorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `\`logoutTokenAlgorithms\`: ${JSON.stringify(alg)} is not an asymmetric JWS algorithm.`,
      )
    }
  }
  const baseName = (options.cookieName ?? `oidckit-${options.clientId}`).replace(
    /[^A-Za-z0-9!#$%&'*+\-.^_`|~]/g,
    '_',
  )
  // RP-12: __Host- pins the cookie to this host, Path=/ and Secure; it needs https.
  const prefix = secure ? '__Host-' : ''
  return {
    secrets: secrets as readonly string[],
    secure,
    origin,
    redirectUri: `${origin}${basePath}${options.callbackPath ?? '/callback'}`,
    postLogoutRedirectUri: options.postLogoutRedirectUri ?? `${origin}${basePath}/`,
    scope: options.scope ?? 'openid profile email offline_access',
    sessionTtl: optionalNumber(options.sessionTtl, '`sessionTtl`') ?? 7 * 86_400,
    idleTtl: optionalNumber(options.sessionIdleTtl, '`sessionIdleTtl`') ?? 86_400,
    leeway: optionalNumber(options.refreshLeeway, '`refreshLeeway`') ?? 60,
    tolerance: optionalNumber(options.clockTolerance, '`clockTolerance`') ?? 30,
    defaultParams: checkParams(options.authorizationParams, '`authorizationParams`'),
    forwardNames: checkForwardNames(options.forwardAuthorizationParams),
    logoutAlgorithms,
    clock: options.clock ?? Date.now,
    names: { session: `${prefix}${baseName}`, transaction: `${prefix}${baseName}-tx` },
    sameSite: options.sameSite ?? 'Lax',
  }
}
