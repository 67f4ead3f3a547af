import { issuerPath, type IdpContext } from '../internal/context.js'
import { checkCsrf, csrfToken } from '../internal/csrf.js'
import { parseSearchParams, readBodyParams, type Params } from '../internal/params.js'
import { ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { randomToken } from '../internal/random.js'
import {
  isLoopbackHost,
  type ResolvedClient,
  type ResolvedUser,
} from '../internal/resolve-config.js'
import { checkResource, checkScopeAllowed, parseScope } from '../internal/scope.js'
import { renderErrorPage } from '../pages/layout.js'
import { renderLoginPage } from '../pages/login.js'
import { lockedMessage } from '../users.js'
import { currentSession, startSession } from '../sessions.js'
import type { AuthorizationTransaction, SessionRecord } from '../records.js'
import { verifyIdTokenHint } from '../tokens.js'

/** Authorization codes live 60 s (AS-2, FAPI 2). */
export const CODE_TTL = 60
/** A login form must be submitted within 10 minutes. */
const TRANSACTION_TTL = 600
const MAX_LOGIN_FAILURES = 5
const PKCE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2): validates the request, signs
 * the user in with the login form or the IdP session, and redirects with `code`, `state` and
 * `iss` (RFC 9207).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export async function authorizeEndpoint(
  ctx: IdpContext,
  request: Request,
  url: URL,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') {
    return renderErrorPage('The authorization endpoint takes GET or POST.', 405, {
      allow: 'GET, POST',
    })
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
  if (request.method === 'POST' && params.has('tx')) return loginSubmission(ctx, request, params)
  return authorizationRequest(ctx, request, params)
}

/** S-1, AS-1: exact match; only native clients may vary a loopback IP literal's port. */
export function matchRedirectUri(
  client: ResolvedClient,
  requested: string | undefined,
): string | undefined {
  if (requested === undefined)
    return client.redirectUris.length === 1 ? client.redirectUris[0] : undefined
  if (client.redirectUris.includes(requested)) return requested
  if (client.applicationType !== 'native') return undefined
  let asked: URL
  try {
    asked = new URL(requested)
  } catch {
    return undefined
  }
  if (asked.protocol !== 'http:' || !/^(127(\.\d{1,3}){3}|\[::1\])$/.test(asked.hostname))
    return undefined
  for (const registered of client.redirectUris) {
    const url = new URL(registered)
    if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname) || url.hostname === 'localhost')
      continue
    url.port = asked.port
    if (url.href === asked.href && requested === asked.href) return requested
  }
  return undefined
}

function redirectWith(
  ctx: IdpContext,
  redirectUri: string,
  values: Record<string, string | undefined>,
  status: number,
  headers: Record<string, string> = {},
): Response {
  const target = new URL(redirectUri)
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) target.searchParams.append(name, value)
  }
  // RFC 9207: iss on every authorization response, success or error (AS-4).
  target.searchParams.append('iss', ctx.config.issuer)
  return new Response(null, {
    status,
    headers: {
      location: target.href,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      ...headers,
    },
  })
}

async function authorizationRequest(
  ctx: IdpContext,
  request: Request,
  params: Params,
): Promise<Response> {
  const client = ctx.clients.get(params.get('client_id'))
  if (!client) {
    return renderErrorPage(
      params.has('client_id') ? 'Unknown client_id.' : 'The request has no client_id.',
      400,
      {},
      {
        received: params.get('client_id'),
        receivedLabel: 'client_id received',
        registered: [...ctx.clients.values()]
          .filter((c) => c.grantTypes.includes('authorization_code'))
          .map((c) => c.clientId),
        registeredLabel: 'Clients registered for the authorization code flow',
      },
    )
  }
  const redirectUri = matchRedirectUri(client, params.get('redirect_uri'))
  if (!redirectUri) {
    // S-2: never redirect to an unregistered URI; show why, so the fix is plain to see.
    return renderErrorPage(
      params.has('redirect_uri')
        ? 'redirect_uri is not registered for this client.'
        : 'redirect_uri is required: this client has several.',
      400,
      {},
      {
        received: params.get('redirect_uri'),
        receivedLabel: 'redirect_uri received',
        registered: client.redirectUris,
        registeredLabel: `Redirect URIs registered for ${client.clientId} (exact match)`,
      },
    )
  }
  const state = params.get('state')
  const status = request.method === 'POST' ? 303 : 302
  const fail = (error: string, description: string) =>
    redirectWith(ctx, redirectUri, { error, error_description: description, state }, status)
  try {
    const tx = validateRequest(ctx, client, redirectUri, params)
    const prompt = (params.get('prompt') ?? '').split(' ').filter(Boolean)
    const session = currentSession(ctx, request)
    let forceLogin = prompt.includes('login')
    if (
      session &&
      tx.maxAge !== undefined &&
      ctx.clock.now() - session.session.authTime > tx.maxAge
    ) {
      forceLogin = true
    }
    const hint = params.get('id_token_hint')
    if (hint !== undefined) {
      const claims = await verifyIdTokenHint(ctx, hint)
      if (!claims)
        return fail('invalid_request', 'id_token_hint is not a valid ID token of this issuer')
      if (session && claims.sub !== session.session.sub) forceLogin = true
    }
    if (session && !forceLogin) return issueCode(ctx, tx, session.session, status)
    if (prompt.includes('none')) return fail('login_required', 'the user is not signed in')
    if (ctx.config.autoLogin !== false) {
      const user = autoLoginUser(ctx, tx.loginHint)
      if (user) {
        const started = startSession(ctx, user)
        return issueCode(ctx, tx, started.session, status, { 'set-cookie': started.cookie })
      }
    }
    const txId = ctx.store.saveTransaction(tx)
    return loginPage(ctx, request, client, txId, tx.loginHint)
  } catch (err) {
    if (err instanceof ProtocolError) return fail(err.error, err.message)
    throw err
  }
}

function validateRequest(
  ctx: IdpContext,
  client: ResolvedClient,
  redirectUri: string,
  params: Params,
): AuthorizationTransaction {
  if (params.has('request'))
    throw new ProtocolError('request_not_supported', 'request objects are not supported')
  if (params.has('request_uri')) {
    throw new ProtocolError('request_uri_not_supported', 'request_uri is not supported')
  }
  const responseType = params.get('response_type')
  if (!responseType) throw new ProtocolError('invalid_request', 'response_type is required')
  // S-5, BBA §7.2: only the code flow; no tokens from the authorization endpoint.
  if (responseType !== 'code') {
    throw new ProtocolError('unsupported_response_type', 'only response_type=code is supported')
  }
  if (!client.grantTypes.includes('authorization_code')) {
    throw new ProtocolError('unauthorized_client', 'this client may not use the code flow')
  }
  const responseMode = params.get('response_mode')
  if (responseMode !== undefined && responseMode !== 'query') {
    throw new ProtocolError('invalid_request', 'only response_mode=query is supported')
  }
  const scope = parseScope(params.get('scope'))
  checkScopeAllowed(client, scope)
  const challenge = params.get('code_challenge')
  const method = params.get('code_challenge_method')
  if (challenge !== undefined) {
    // AS-3: a missing method means plain, and plain is refused.
    if (method !== 'S256')
      throw new ProtocolError('invalid_request', 'code_challenge_method must be S256')
    if (!PKCE_CHALLENGE.test(challenge)) {
      throw new ProtocolError(
        'invalid_request',
        'code_challenge must be 43-128 unreserved characters',
      )
    }
  } else if (method !== undefined) {
    throw new ProtocolError('invalid_request', 'code_challenge_method without code_challenge')
  } else if (client.requirePkce) {
    throw new ProtocolError('invalid_request', 'PKCE is required: send code_challenge with S256')
  }
  let maxAge: number | undefined
  const maxAgeParam = params.get('max_age')
  if (maxAgeParam !== undefined) {
    if (!/^\d{1,9}$/.test(maxAgeParam))
      throw new ProtocolError('invalid_request', 'max_age must be a non-negative integer')
    maxAge = Number(maxAgeParam)
  }
  const prompt = (params.get('prompt') ?? '').split(' ').filter(Boolean)
  if (prompt.includes('none') && prompt.length > 1) {
    throw new ProtocolError('invalid_request', 'prompt=none cannot be combined with other values')
  }
  return {
    clientId: client.clientId,
    redirectUri,
    redirectUriSent: params.has('redirect_uri'),
    scope,
    state: params.get('state'),
    nonce: params.get('nonce'),
    codeChallenge: challenge,
    resource: checkResource(client, params),
    maxAge,
    loginHint: params.get('login_hint'),
    responseMode: 'query',
    expiresAt: ctx.clock.now() + TRANSACTION_TTL,
    failures: 0,
  }
}

function autoLoginUser(ctx: IdpContext, loginHint: string | undefined): ResolvedUser | undefined {
  if (typeof ctx.config.autoLogin === 'string') return ctx.users.get(ctx.config.autoLogin)
  return (loginHint ? ctx.users.get(loginHint) : undefined) ?? ctx.users.values().next().value
}

function issueCode(
  ctx: IdpContext,
  tx: AuthorizationTransaction,
  session: SessionRecord,
  status: number,
  headers: Record<string, string> = {},
): Response {
  ctx.store.addSessionClient(session, tx.clientId)
  const code = ctx.store.saveCode({
    clientId: tx.clientId,
    redirectUri: tx.redirectUri,
    redirectUriSent: tx.redirectUriSent,
    sub: session.sub,
    scope: tx.scope,
    nonce: tx.nonce,
    codeChallenge: tx.codeChallenge,
    resource: tx.resource,
    authTime: session.authTime,
    sid: session.sid,
    maxAgeSent: tx.maxAge !== undefined,
    expiresAt: ctx.clock.now() + CODE_TTL,
    used: false,
    grantId: randomToken(16),
  })
  return redirectWith(ctx, tx.redirectUri, { code, state: tx.state }, status, headers)
}

function loginPage(
  ctx: IdpContext,
  request: Request,
  client: ResolvedClient,
  txId: string,
  loginHint: string | undefined,
  error?: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const csrf = csrfToken(ctx, request)
  return renderLoginPage({
    action: `${issuerPath(ctx)}/oauth/authorize`,
    clientName: client.name,
    csrfToken: csrf.token,
    fields: { tx: txId },
    loginHint,
    error,
    users: ctx.users.values(),
    status,
    headers: csrf.setCookie ? { ...headers, 'set-cookie': csrf.setCookie } : headers,
  })
}

async function loginSubmission(
  ctx: IdpContext,
  request: Request,
  params: Params,
): Promise<Response> {
  const txId = params.get('tx')!
  const tx = ctx.store.findTransaction(txId)
  if (!tx) {
    return renderErrorPage('This sign-in request has expired. Start again from the application.')
  }
  if (!checkCsrf(request, params.get('csrf_token'))) {
    return renderErrorPage(
      'The form could not be verified (CSRF check failed). Reload the page.',
      403,
    )
  }
  const client = ctx.clients.get(tx.clientId)
  if (!client) return renderErrorPage('The client of this request no longer exists.')
  const { user, retryAfter } = await ctx.users.checkPassword(
    params.get('username'),
    params.get('password'),
  )
  if (!user) {
    if (retryAfter > 0) {
      // The username is locked: say so, and leave the transaction's own count alone.
      const retry = { 'retry-after': String(retryAfter) }
      const username = params.get('username')
      return loginPage(ctx, request, client, txId, username, lockedMessage(retryAfter), 429, retry)
    }
    tx.failures++
    if (tx.failures >= MAX_LOGIN_FAILURES) {
      ctx.store.endTransaction(txId)
      return renderErrorPage('Too many failed attempts. Start again from the application.', 429)
    }
    return loginPage(
      ctx,
      request,
      client,
      txId,
      params.get('username'),
      'Wrong username or password.',
      401,
    )
  }
  ctx.store.endTransaction(txId)
  const started = startSession(ctx, user)
  // S-3: a POST carrying credentials is answered with 303, never 307.
  return issueCode(ctx, tx, started.session, 303, { 'set-cookie': started.cookie })
}
