import type { Controls } from '../controls.js'
import { issuerPath, type IdpContext } from '../internal/context.js'
import { isLoopbackAddress, foreignRequest } from '../internal/control-access.js'
import { readCookie, serializeCookie } from '../internal/cookies.js'
import { checkCsrf, csrfToken } from '../internal/csrf.js'
import { decodeJwt, type DecodedJwt } from '../internal/decode-jwt.js'
import { readBodyParams, type Params } from '../internal/params.js'
import { ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import {
  base64url,
  constantTimeEqual,
  formatUserCode,
  randomToken,
  sha256,
} from '../internal/random.js'
import {
  renderDashboard,
  renderLoginResult,
  renderUnlockPage,
  truncated,
} from '../pages/dashboard.js'
import { renderErrorPage } from '../pages/layout.js'
import type { RequestLog } from '../request-log.js'
import { discoveryDocument } from './discovery.js'

/** What the dashboard reads and drives besides the context. */
export interface DashboardDeps {
  controls: Controls
  log: RequestLog
  /** The idp's own handler: a dashboard login redeems its code at the real token endpoint. */
  handle: (request: Request) => Promise<Response>
}

const ADMIN_COOKIE = 'mock_idp_admin'
const LOGIN_TTL = 600
const SHOWN_REQUESTS = 30

/** The admin cookie's value: derived from the admin token, so the token itself is never set. */
async function adminCookieValue(adminToken: string): Promise<string> {
  return base64url(await sha256(`mock-idp dashboard:${adminToken}`))
}

type Access = { refused: Response } | { locked: boolean }

/**
 * Who may see and drive the dashboard (README "Dashboard"): its own `Host` only (DNS
 * rebinding); through the listener, with an admin token set, a browser that entered it (else
 * `locked`), without one, loopback callers only; `idp.fetch` always.
 */
async function access(
  ctx: IdpContext,
  request: Request,
  remoteAddress: string | undefined,
): Promise<Access> {
  const foreign = foreignRequest(ctx, request, remoteAddress)
  if (foreign === 'host') {
    return { refused: renderErrorPage('The dashboard answers only its own host name.', 403) }
  }
  // A state-changing form must come from the dashboard itself (CSRF), as for the control API.
  if (foreign === 'origin' && request.method === 'POST') {
    return { refused: renderErrorPage('The dashboard refuses cross-site forms.', 403) }
  }
  if (remoteAddress === undefined) return { locked: false }
  const adminToken = ctx.config.adminToken
  if (adminToken === undefined) {
    return isLoopbackAddress(remoteAddress)
      ? { locked: false }
      : { refused: renderErrorPage('The dashboard answers loopback callers only.', 403) }
  }
  const cookie = readCookie(request, ADMIN_COOKIE)
  const unlocked =
    cookie !== undefined && constantTimeEqual(cookie, await adminCookieValue(adminToken))
  return { locked: !unlocked }
}

/** Checks a dashboard form: a form body with the CSRF token (AS-10). */
async function readForm(body: RequestBody): Promise<Params | Response> {
  const { request } = body
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    return renderErrorPage('Dashboard actions are HTML form posts.', 415)
  }
  let params: Params
  try {
    params = await readBodyParams(body, { json: false })
  } catch (err) {
    if (err instanceof ProtocolError) return renderErrorPage(err.message, err.status)
    throw err
  }
  if (!checkCsrf(request, params.get('csrf_token'))) {
    return renderErrorPage(
      'The form could not be verified (CSRF check failed). Reload the page.',
      403,
    )
  }
  return params
}

function seeOther(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, {
    status: 303,
    headers: { location, 'cache-control': 'no-store', ...headers },
  })
}

/**
 * The dashboard: `GET /` for a person, and its forms under `/_dashboard/`. Read-mostly; every
 * form is a same-origin POST with a CSRF token, and approving or denying a device code or ending
 * sessions takes the control API being on.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.16
 */
export async function dashboardEndpoint(
  ctx: IdpContext,
  deps: DashboardDeps,
  request: Request,
  body: RequestBody,
  url: URL,
  remoteAddress: string | undefined,
  action: string,
): Promise<Response> {
  const checked = await access(ctx, request, remoteAddress)
  if ('refused' in checked) return checked.refused
  const home = `${issuerPath(ctx)}/`
  const csrf = csrfToken(ctx, request)
  const cookies: Record<string, string> = csrf.setCookie ? { 'set-cookie': csrf.setCookie } : {}
  if (checked.locked && action !== 'unlock') {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return renderErrorPage('Open the dashboard with the admin token first.', 401)
    }
    return renderUnlockPage({
      action: `${issuerPath(ctx)}/_dashboard/unlock`,
      csrfToken: csrf.token,
      headers: cookies,
    })
  }
  if (action === '' || (action === 'callback' && request.method === 'GET')) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return renderErrorPage('The dashboard takes GET; its forms post elsewhere.', 405, {
        allow: 'GET',
      })
    }
    if (action === 'callback') return finishLogin(ctx, deps, url.searchParams)
    return renderDashboard(dashboardView(ctx, deps, csrf.token), cookies)
  }
  if (request.method !== 'POST') {
    return renderErrorPage('Dashboard actions take POST.', 405, { allow: 'POST' })
  }
  const form = await readForm(body)
  if (form instanceof Response) return form
  switch (action) {
    case 'unlock':
      return unlock(ctx, form, home)
    case 'login':
      return startLogin(ctx, form)
    case 'callback':
      return finishLogin(ctx, deps, pastedParams(form.get('url')))
    case 'device':
    case 'end-sessions':
      if (!ctx.config.controlApi) {
        return renderErrorPage('Turn the control API on (controlApi: true) to use this.', 404)
      }
      return action === 'device'
        ? deviceAction(ctx, deps, form, home)
        : endSessions(ctx, deps, form, home)
    default:
      return renderErrorPage('No such dashboard action.', 404)
  }
}

function dashboardView(ctx: IdpContext, deps: DashboardDeps, token: string) {
  const base = issuerPath(ctx)
  const now = ctx.clock.now()
  const discovery = discoveryDocument(ctx)
  const endpoints = Object.entries(discovery)
    .filter(([name, value]) => typeof value === 'string' && /(_endpoint|_uri)$/.test(name))
    .map(([name, value]) => [name, value as string] as [string, string])
  endpoints.unshift(['discovery', `${ctx.config.issuer}/.well-known/openid-configuration`])
  const sessions = ctx.store.countSessions()
  const devices = ctx.store.pendingDevices().map((d) => ({
    userCode: formatUserCode(d.userCode),
    clientId: d.clientId,
    scope: d.scope,
    expiresIn: d.expiresAt - now,
  }))
  return {
    issuer: ctx.config.issuer,
    now,
    paths: {
      login: `${base}/_dashboard/login`,
      callback: `${base}/_dashboard/callback`,
      device: `${base}/_dashboard/device`,
      endSessions: `${base}/_dashboard/end-sessions`,
    },
    csrfToken: token,
    actions: ctx.config.controlApi,
    endpoints,
    clients: [...ctx.clients.values()],
    users: [...ctx.users.values()].map((user) => ({ user, sessions: sessions.get(user.sub) ?? 0 })),
    devices,
    requests: deps.log.entries.slice(-SHOWN_REQUESTS).reverse(),
  }
}

async function unlock(ctx: IdpContext, form: Params, home: string): Promise<Response> {
  const adminToken = ctx.config.adminToken
  if (adminToken === undefined) return seeOther(home)
  const given = form.get('admin_token') ?? ''
  if (!constantTimeEqual(given, adminToken)) {
    return renderUnlockPage({
      action: `${home}_dashboard/unlock`,
      csrfToken: form.get('csrf_token')!,
      error: 'That is not the admin token.',
      status: 401,
      headers: {},
    })
  }
  const value = await adminCookieValue(adminToken)
  const cookie = serializeCookie(ctx, ADMIN_COOKIE, value, ctx.config.sessionTtl, 'Strict')
  return seeOther(home, { 'set-cookie': cookie })
}

/** "Try a login": a PKCE S256 authorization request made here, so the dashboard can redeem it. */
async function startLogin(ctx: IdpContext, form: Params): Promise<Response> {
  const client = ctx.clients.get(form.get('client_id'))
  if (!client || !client.grantTypes.includes('authorization_code')) {
    return renderErrorPage('That client cannot use the authorization code flow.')
  }
  const own = `${ctx.config.issuer}/_dashboard/callback`
  const redirectUri = client.redirectUris.includes(own) ? own : client.redirectUris[0]!
  const state = randomToken(32)
  const nonce = randomToken(16)
  const codeVerifier = randomToken(32)
  ctx.store.saveDashboardLogin(state, {
    clientId: client.clientId,
    redirectUri,
    codeVerifier,
    nonce,
    expiresAt: ctx.clock.now() + LOGIN_TTL,
  })
  const scope = ['openid', 'profile', 'email']
  if (client.grantTypes.includes('refresh_token')) scope.push('offline_access')
  const target = new URL(`${ctx.config.issuer}/oauth/authorize`)
  const query = {
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scope.join(' '),
    state,
    nonce,
    prompt: 'login',
    code_challenge: base64url(await sha256(codeVerifier)),
    code_challenge_method: 'S256',
  }
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value)
  return seeOther(target.href)
}

function pastedParams(pasted: string | undefined): URLSearchParams {
  try {
    return new URL(pasted ?? '').searchParams
  } catch {
    return new URLSearchParams()
  }
}

/** Redeems a dashboard login's code at the token endpoint and shows what came back. */
async function finishLogin(
  ctx: IdpContext,
  deps: DashboardDeps,
  params: URLSearchParams,
): Promise<Response> {
  const dashboard = `${issuerPath(ctx)}/`
  const state = params.get('state') ?? ''
  const login = ctx.store.takeDashboardLogin(state)
  if (!login) {
    return renderErrorPage(
      'That address is not the end of a login started here (no such state, or it was used or expired).',
    )
  }
  const client = ctx.clients.get(login.clientId)!
  const result = { clientId: login.clientId, dashboard, tokens: [] as DecodedJwt[] }
  const lines = [`redirect_uri: ${login.redirectUri}`, `iss: ${params.get('iss') ?? '(none)'}`]
  const code = params.get('code')
  if (params.has('error') || !code) {
    const error = `${params.get('error') ?? 'no code'}: ${params.get('error_description') ?? ''}`
    return renderLoginResult({ ...result, lines, error })
  }
  if (params.get('iss') !== ctx.config.issuer) {
    return renderLoginResult({ ...result, lines, error: 'iss is not this issuer (RFC 9207).' })
  }
  if (client.tokenEndpointAuthMethod === 'private_key_jwt') {
    lines.push(
      `code: ${code}`,
      `code_verifier: ${login.codeVerifier}`,
      'This client authenticates with private_key_jwt: redeem the code with its key.',
    )
    return renderLoginResult({ ...result, lines })
  }
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: login.redirectUri,
    code_verifier: login.codeVerifier,
  })
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (client.tokenEndpointAuthMethod === 'client_secret_basic') {
    const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret!)}`
    headers.authorization = `Basic ${btoa(pair)}`
  } else {
    body.set('client_id', client.clientId)
    if (client.clientSecret) body.set('client_secret', client.clientSecret)
  }
  const response = await deps.handle(
    new Request(`${ctx.config.issuer}/oauth/token`, { method: 'POST', headers, body }),
  )
  const answer = (await response.json()) as Record<string, unknown>
  if (!response.ok) {
    const error = `token endpoint: ${String(answer.error)}: ${String(answer.error_description ?? '')}`
    return renderLoginResult({ ...result, lines, error })
  }
  for (const field of ['access_token', 'id_token', 'refresh_token']) {
    const value = answer[field]
    if (typeof value !== 'string') continue
    lines.push(`${field}: ${truncated(value)}`)
    const decoded = decodeJwt(field, value)
    if (decoded) result.tokens.push(decoded)
  }
  lines.push(`expires_in: ${String(answer.expires_in)}`, `scope: ${String(answer.scope)}`)
  const idToken = result.tokens.find((t) => t.name === 'id_token')
  if (idToken) {
    lines.push(idToken.payload.nonce === login.nonce ? 'nonce: matches' : 'nonce: DOES NOT MATCH')
  }
  return renderLoginResult({ ...result, lines })
}

function deviceAction(ctx: IdpContext, deps: DashboardDeps, form: Params, home: string): Response {
  const userCode = form.get('user_code') ?? ''
  const step = form.get('action')
  let done: boolean
  if (step === 'approve') {
    const username = form.get('username') ?? ''
    if (!ctx.users.has(username)) return renderErrorPage('No such user.')
    done = deps.controls.approveDevice(userCode, username)
  } else if (step === 'deny') {
    done = deps.controls.denyDevice(userCode)
  } else {
    return renderErrorPage('Approve or deny?')
  }
  return done ? seeOther(home) : renderErrorPage('No pending device code like that.', 404)
}

async function endSessions(
  ctx: IdpContext,
  deps: DashboardDeps,
  form: Params,
  home: string,
): Promise<Response> {
  const username = form.get('username') ?? ''
  if (!ctx.users.has(username)) return renderErrorPage('No such user.')
  await deps.controls.endSessions(username)
  return seeOther(home)
}
