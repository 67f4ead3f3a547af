import { getToken } from '@oidckit/device-cli'
import type { GetTokenOptions } from '@oidckit/device-cli'

/** Options of {@link callApi}: the API's base URL plus how to find the stored login. */
export interface CallApiOptions extends GetTokenOptions {
  /** Where the example API runs; default `http://localhost:4000`. */
  apiUrl?: string | undefined
}

/**
 * Calls the example API's `GET /api/me` with the access token of the user's `oidckit login`,
 * refreshed when needed, and returns the JSON body.
 *
 * @throws OAuthError `login_required` (its message says to run `oidckit login`); Error when the
 *   API answers with an error status.
 */
export async function callApi(options: CallApiOptions = {}): Promise<unknown> {
  const token = await getToken(options)
  const url = new URL('/api/me', options.apiUrl ?? 'http://localhost:4000')
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}: ${await response.text()}`)
  }
  return response.json()
}
