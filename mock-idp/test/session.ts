import type { Browser } from './helpers.js'
import { pkce } from './helpers.js'

/** Whether the browser still has an IdP session: `prompt=none` gives a code only then. */
export async function isSignedIn(browser: Browser): Promise<boolean> {
  const query = new URLSearchParams({
    client_id: 'spa',
    redirect_uri: 'http://localhost:5173/callback',
    response_type: 'code',
    scope: 'openid',
    state: 'probe',
    prompt: 'none',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  })
  const res = await browser.request(`${browser.idp.issuer}/oauth/authorize?${query}`)
  const location = res.headers.get('location')
  return location !== null && new URL(location).searchParams.has('code')
}
