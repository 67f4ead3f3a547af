import { Client, OAuthError, TokenSet } from '@oidckit/core'
import type { FetchLike } from '@oidckit/core'
import { CredentialStore } from './credential-store.js'
import { loginRequired } from './login-required.js'
import { resolveSettings } from './internal/settings.js'

/** Options of {@link getToken}: which login to use, and the seams tests need. */
export interface GetTokenOptions {
  /** Default `OIDCKIT_ISSUER`, else `http://localhost:9400`. */
  issuer?: string | undefined
  /** Default `OIDCKIT_CLIENT_ID`, else `cli`. */
  clientId?: string | undefined
  /** Default `OIDCKIT_SCOPE`, else `openid profile email offline_access`. */
  scope?: string | undefined
  /** The folder of `credentials.json`; default `OIDCKIT_CONFIG_DIR`, XDG or the platform's. */
  configDir?: string | undefined
  /** The environment the defaults come from; default `process.env`. */
  env?: Record<string, string | undefined> | undefined
  /** Refresh when the access token expires within this many seconds; default 60. */
  minValidity?: number | undefined
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: (() => number) | undefined
  signal?: AbortSignal | undefined
}

/**
 * The stored tokens of a `oidckit login`, refreshed first when the access token has expired or
 * is about to. The refresh runs under the store's lock: a second process waiting for it reuses
 * the new tokens instead of spending the refresh token again, and the new refresh token is saved
 * before the tokens are returned (RP-20).
 *
 * @throws OAuthError `login_required` when nothing usable is stored (its message says to run
 *   `oidckit login`), also after the provider refused the refresh token (`invalid_grant`, the
 *   entry is then forgotten) or when the file was corrupt; NetworkError, DiscoveryError.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14 (RP-20)
 * @example
 * ```ts
 * const tokens = await getTokenSet({ issuer: 'http://localhost:9400', clientId: 'cli' })
 * console.log(tokens.claims()?.sub)
 * ```
 */
export async function getTokenSet(options: GetTokenOptions = {}): Promise<TokenSet> {
  const env = options.env ?? process.env
  const key = resolveSettings(options, env)
  const clock = options.clock ?? (() => Date.now())
  const minValidity = options.minValidity ?? 60
  const store = new CredentialStore({ configDir: options.configDir, env })
  const entry = await store.get(key)
  if (!entry) throw notLoggedIn(key.issuer)
  const cached = TokenSet.fromJSON(entry.tokens, { clock })
  if (!cached.isExpired(minValidity)) return cached
  const outcome = await store.transaction(async (tx): Promise<TokenSet | { ended: OAuthError }> => {
    // Re-read under the lock: another process may have refreshed while we waited.
    const current = tx.get(key)
    if (!current) throw notLoggedIn(key.issuer)
    const tokens = TokenSet.fromJSON(current.tokens, { clock })
    if (!tokens.isExpired(minValidity)) return tokens
    if (!tokens.refreshToken) {
      throw loginRequired(
        `Your access token for ${key.issuer} has expired and there is no refresh token. Run \`oidckit login\` to sign in again.`,
      )
    }
    const client = await Client.discover({
      issuer: key.issuer,
      clientId: key.clientId,
      fetch: options.fetch,
      clock: options.clock,
    })
    let fresh: TokenSet
    try {
      fresh = await client.refresh(tokens, { signal: options.signal })
    } catch (err) {
      // RP-20: a refused refresh token ends the session; other failures keep it for a retry.
      if (err instanceof OAuthError && err.error === 'invalid_grant') {
        // Returned, not thrown, so that the transaction writes the deletion.
        tx.delete(key)
        return {
          ended: loginRequired(
            `Your session at ${key.issuer} has ended (the refresh token was refused). Run \`oidckit login\` to sign in again.`,
            err,
          ),
        }
      }
      throw err
    }
    tx.set(key, fresh)
    return fresh
  })
  if ('ended' in outcome) throw outcome.ended
  return outcome
}

/**
 * A valid access token from the stored `oidckit login`, for a tool to send as a bearer token:
 * cached while valid, refreshed when needed (see {@link getTokenSet}).
 *
 * @throws OAuthError `login_required` with a message naming `oidckit login` when nothing usable
 *   is stored; NetworkError, DiscoveryError.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @example
 * ```ts
 * const token = await getToken({ issuer: 'http://localhost:9400', clientId: 'cli' })
 * await fetch('http://localhost:4000/api/me', { headers: { authorization: `Bearer ${token}` } })
 * ```
 */
export async function getToken(options: GetTokenOptions = {}): Promise<string> {
  return (await getTokenSet(options)).accessToken
}

function notLoggedIn(issuer: string): OAuthError {
  return loginRequired(`You are not signed in to ${issuer}. Run \`oidckit login\` first.`)
}
