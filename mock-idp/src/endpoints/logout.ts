import type { JWTPayload } from 'jose'
import { issuerPath, type IdpContext } from '../internal/context.js'
import { checkCsrf, csrfToken } from '../internal/csrf.js'
import { parseSearchParams, readBodyParams, type Params } from '../internal/params.js'
import { ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { renderErrorPage, renderPage } from '../pages/layout.js'
import { renderLogoutConfirmPage } from '../pages/logout.js'
import { currentSession, endSession } from '../sessions.js'
import { verifyIdTokenHint } from '../tokens.js'

type Checked =
  | { error: string }
  | { claims: JWTPayload | undefined; location: URL | undefined; error?: undefined }

/**
 * The `id_token_hint` and where to go after: a `post_logout_redirect_uri` is followed only when
 * a valid `id_token_hint` names a client that registered it (AS-11).
 */
async function checkParams(ctx: IdpContext, params: Params): Promise<Checked> {
  const target = params.get('post_logout_redirect_uri')
  const hint = params.get('id_token_hint')
  const claims = hint === undefined ? undefined : await verifyIdTokenHint(ctx, hint)
  if (target === undefined) return { claims, location: undefined }
  const aud = Array.isArray(claims?.aud) ? claims.aud[0] : claims?.aud
  const clientId = params.get('client_id')
  if (!claims || (clientId !== undefined && clientId !== aud)) {
    return { error: 'post_logout_redirect_uri needs a valid id_token_hint of the same client.' }
  }
  const client = ctx.clients.get(aud)
  if (!client || !client.postLogoutRedirectUris.includes(target)) {
    return { error: 'post_logout_redirect_uri is not registered for this client.' }
  }
  const location = new URL(target)
  const state = params.get('state')
  if (state !== undefined) location.searchParams.append('state', state)
  return { claims, location }
}

function signOut(ctx: IdpContext, request: Request, location: URL | undefined): Response {
  const { cookie } = endSession(ctx, request)
  if (location) {
    return new Response(null, {
      status: request.method === 'POST' ? 303 : 302,
      headers: { location: location.href, 'set-cookie': cookie, 'cache-control': 'no-store' },
    })
  }
  return renderPage(
    'Signed out',
    '<h1>Signed out</h1><p>You are signed out of mock-idp.</p>',
    200,
    { 'set-cookie': cookie },
  )
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–3). With a valid
 * `id_token_hint` for the signed-in user it ends the IdP session at once, and redirects only to
 * a registered `post_logout_redirect_uri` of the hint's client (AS-11). Any other request gets a
 * confirmation page whose CSRF-protected POST ends the session, so that a link or a form on
 * another site cannot sign the user out.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function logoutEndpoint(
  ctx: IdpContext,
  request: Request,
  url: URL,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') {
    return renderErrorPage('The logout endpoint takes GET or POST.', 405, { allow: 'GET, POST' })
  }
  let params: Params
  try {
    params =
      request.method === 'GET'
        ? parseSearchParams(url.searchParams)
        : await readBodyParams(body, { json: false })
  } catch (err) {
    if (err instanceof ProtocolError) return renderErrorPage(err.message, err.status)
    throw err
  }
  const confirmed = request.method === 'POST' && params.get('action') === 'logout'
  if (confirmed && !checkCsrf(request, params.get('csrf_token'))) {
    return renderErrorPage(
      'The form could not be verified (CSRF check failed). Reload the page.',
      403,
    )
  }
  const checked = await checkParams(ctx, params)
  if (checked.error !== undefined) return renderErrorPage(checked.error)
  if (confirmed) return signOut(ctx, request, checked.location)
  // §2: the OP MUST ask when the hint is missing or names someone other than the signed-in user.
  const session = currentSession(ctx, request)
  if (checked.claims && (!session || session.session.sub === checked.claims.sub)) {
    return signOut(ctx, request, checked.location)
  }
  const csrf = csrfToken(ctx, request)
  return renderLogoutConfirmPage({
    action: `${issuerPath(ctx)}/oauth/logout`,
    csrfToken: csrf.token,
    username: session ? ctx.users.bySub(session.session.sub)?.username : undefined,
    fields: {
      id_token_hint: params.get('id_token_hint'),
      post_logout_redirect_uri: params.get('post_logout_redirect_uri'),
      state: params.get('state'),
      client_id: params.get('client_id'),
    },
    headers: csrf.setCookie ? { 'set-cookie': csrf.setCookie } : {},
  })
}
