import { Client, NetworkError } from '@oidckit/core'
import { CredentialStore } from './credential-store.js'
import type { GetTokenOptions } from './get-token.js'
import { resolveSettings } from './internal/settings.js'

/** Options of {@link logout}: the same as `getToken()`'s, minus `minValidity`. */
export type LogoutOptions = Omit<GetTokenOptions, 'minValidity'>

/**
 * Signs out: revokes the stored refresh token (or the access token when there is none) at the
 * provider, then forgets the entry. Returns `false` when nothing was stored. When revocation
 * fails the entry is kept, so that `oidckit logout` can be run again (RP-20: a 503 means the
 * token may still be valid).
 *
 * @throws OAuthError, NetworkError, DiscoveryError when the provider could not revoke the token
 *   (nothing is forgotten then); OAuthError `login_required` when the file was corrupt.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2 (RP-20)
 * @example
 * ```ts
 * await logout({ issuer: 'http://localhost:9400', clientId: 'cli' })
 * ```
 */
export async function logout(options: LogoutOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env
  const key = resolveSettings(options, env)
  const store = new CredentialStore({ configDir: options.configDir, env })
  return store.transaction(async (tx) => {
    const entry = tx.get(key)
    if (!entry) return false
    const client = await Client.discover({
      issuer: key.issuer,
      clientId: key.clientId,
      fetch: options.fetch,
      clock: options.clock,
    })
    const { refreshToken, accessToken } = entry.tokens
    const revoke = () =>
      refreshToken
        ? client.revoke(refreshToken, { tokenTypeHint: 'refresh_token', signal: options.signal })
        : client.revoke(accessToken, { tokenTypeHint: 'access_token', signal: options.signal })
    try {
      await revoke()
    } catch (err) {
      // RFC 7009 §2.2.1: a 503 means "try again"; once, then report it.
      if (!(err instanceof NetworkError && err.status === 503)) throw err
      await revoke()
    }
    tx.delete(key)
    return true
  })
}
