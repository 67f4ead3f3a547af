import { BrowserAuth } from './browser-auth.js'
import type { BrowserAuthOptions } from './browser-auth-options.js'

/**
 * Creates the browser session for a single-page app: authorization code + PKCE (S256) login by
 * redirect or popup, tokens in memory by default, renewal by refresh-token rotation with one
 * refresh at a time across tabs, and logout everywhere.
 *
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for missing or malformed options.
 * @see https://www.rfc-editor.org/rfc/rfc7636
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 * @example
 * ```ts
 * import { createBrowserAuth } from '@oidckit/browser-pkce'
 *
 * const auth = createBrowserAuth({
 *   issuer: 'http://localhost:9400',
 *   clientId: 'spa',
 *   redirectUri: 'http://localhost:5173/callback',
 *   postLogoutRedirectUri: 'http://localhost:5173/',
 * })
 * if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
 * else if (!auth.isAuthenticated) await auth.login({ returnTo: '/' })
 * const token = await auth.getAccessToken()
 * ```
 */
export function createBrowserAuth<Claims extends object = object>(
  options: BrowserAuthOptions,
): BrowserAuth<Claims> {
  return new BrowserAuth<Claims>(options)
}
