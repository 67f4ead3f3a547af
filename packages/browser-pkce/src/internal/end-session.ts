// Loaded by `logout()` only (a dynamic import): the revocation and end-session code is not part
// of the first download.
import { buildEndSessionUrl, revokeToken, type ClientConfig } from '@oidckit/core'

/** Revokes the refresh token; a 503 (the token may still be valid) is tried once more. */
export async function revokeQuietly(config: ClientConfig, token: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await revokeToken(config, token, { tokenTypeHint: 'refresh_token' })
      return
    } catch (err) {
      // RFC 7009 §2.2.1: a 503 means the token may still be valid; try once more.
      if ((err as { code?: string }).code !== 'ERR_SERVER_ERROR') return
    }
  }
}

/** The provider's end-session URL, with `id_token_hint` and, with it, the post-logout URI. */
export function endSessionUrl(
  config: ClientConfig,
  idToken: string | undefined,
  postLogoutRedirectUri: string | undefined,
): string {
  return buildEndSessionUrl(config, {
    idTokenHint: idToken,
    postLogoutRedirectUri: idToken ? postLogoutRedirectUri : undefined,
  }).href
}
