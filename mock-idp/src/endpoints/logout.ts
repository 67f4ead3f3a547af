import { findClient, type IdpContext } from '../internal/context.js'
import { parseSearchParams, readBodyParams, type Params } from '../internal/params.js'
import { ProtocolError } from '../internal/protocol-error.js'
import { renderErrorPage, renderPage } from '../pages/layout.js'
import { endSession } from '../sessions.js'
import { verifyIdTokenHint } from '../tokens.js'

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–3). Ends the IdP session; it
 * redirects only to a registered `post_logout_redirect_uri` of the client named by a valid
 * `id_token_hint` (AS-11), and otherwise shows a page.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function logoutEndpoint(
  ctx: IdpContext,
  request: Request,
  url: URL,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') {
    return renderErrorPage('The logout endpoint takes GET or POST.', 405, { allow: 'GET, POST' })
  }
  let params: Params
  try {
    params =
      request.method === 'GET'
        ? parseSearchParams(url.searchParams)
        : await readBodyParams(request, { json: false })
  } catch (err) {
    if (err instanceof ProtocolError) return renderErrorPage(err.message, err.status)
    throw err
  }
  const target = params.get('post_logout_redirect_uri')
  const hint = params.get('id_token_hint')
  let clientId = params.get('client_id')
  if (target !== undefined) {
    const claims = hint === undefined ? undefined : await verifyIdTokenHint(ctx, hint)
    const aud = Array.isArray(claims?.aud) ? claims.aud[0] : claims?.aud
    if (!claims || (clientId !== undefined && clientId !== aud)) {
      return renderErrorPage(
        'post_logout_redirect_uri needs a valid id_token_hint of the same client.',
      )
    }
    clientId = aud
    const client = findClient(ctx, clientId)
    if (!client || !client.postLogoutRedirectUris.includes(target)) {
      return renderErrorPage('post_logout_redirect_uri is not registered for this client.')
    }
    const { cookie } = endSession(ctx, request)
    const location = new URL(target)
    const state = params.get('state')
    if (state !== undefined) location.searchParams.append('state', state)
    return new Response(null, {
      status: request.method === 'POST' ? 303 : 302,
      headers: { location: location.href, 'set-cookie': cookie, 'cache-control': 'no-store' },
    })
  }
  const { cookie } = endSession(ctx, request)
  return renderPage(
    'Signed out',
    '<h1>Signed out</h1><p>You are signed out of mock-idp.</p>',
    200,
    {
      'set-cookie': cookie,
    },
  )
}
