import type { DecodedJwt } from '../internal/decode-jwt.js'
import type { ResolvedClient, ResolvedUser } from '../internal/resolve-config.js'
import type { LoggedRequest } from '../request-log.js'
import { escapeHtml, hidden, renderPage } from './layout.js'

/** What the dashboard shows; every value is escaped as it is written out. */
export interface DashboardView {
  issuer: string
  now: number
  /** Action URLs (`…/_dashboard/…`) and the CSRF token their forms carry. */
  paths: { login: string; callback: string; device: string; endSessions: string }
  csrfToken: string
  /** Whether approve / deny / end-sessions forms are offered (the control API is on). */
  actions: boolean
  endpoints: [string, string][]
  clients: ResolvedClient[]
  users: { user: ResolvedUser; sessions: number }[]
  devices: { userCode: string; clientId: string; scope: string[]; expiresIn: number }[]
  requests: LoggedRequest[]
}

const code = (value: string) => `<code>${escapeHtml(value)}</code>`
const json = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`
const list = (values: readonly string[]) => values.map(code).join('<br>') || '—'

/** A JWT as header and payload; its signature is never shown. */
export function decodedHtml(token: DecodedJwt): string {
  return `<details><summary>${code(token.name)} ${escapeHtml(
    String(token.header.typ ?? 'JWT'),
  )}</summary>${json(token.header)}${json(token.payload)}</details>`
}

function clientType(client: ResolvedClient): string {
  return client.isPublic ? 'public' : `confidential (${client.tokenEndpointAuthMethod})`
}

function clientRows(view: DashboardView): string {
  return view.clients
    .map((client) => {
      const canTry =
        client.grantTypes.includes('authorization_code') && client.redirectUris.length > 0
      const tryLogin = canTry
        ? `<form class="inline" method="post" action="${escapeHtml(view.paths.login)}">${hidden(
            'csrf_token',
            view.csrfToken,
          )}${hidden('client_id', client.clientId)}<button type="submit">Try a login</button></form>`
        : ''
      return `<tr><td>${code(client.clientId)}<br>${escapeHtml(client.name)}</td><td>${escapeHtml(
        clientType(client),
      )}</td><td>${list(client.grantTypes)}</td><td>${list(client.redirectUris)}</td><td>${list(
        client.postLogoutRedirectUris,
      )}${
        client.backchannelLogoutUri ? `<br>back-channel: ${code(client.backchannelLogoutUri)}` : ''
      }</td><td>${tryLogin}</td></tr>`
    })
    .join('')
}

function userRows(view: DashboardView): string {
  return view.users
    .map(({ user, sessions }) => {
      const end =
        view.actions && sessions > 0
          ? `<form class="inline" method="post" action="${escapeHtml(view.paths.endSessions)}">${hidden(
              'csrf_token',
              view.csrfToken,
            )}${hidden('username', user.username)}<button type="submit">End sessions</button></form>`
          : ''
      return `<tr><td>${code(user.username)}</td><td>${code(user.sub)}</td><td>${json(
        user.claims,
      )}</td><td>${sessions} ${end}</td></tr>`
    })
    .join('')
}

function deviceRows(view: DashboardView): string {
  if (view.devices.length === 0) return '<p>None pending.</p>'
  const users = view.users
    .map(({ user }) => `<option>${escapeHtml(user.username)}</option>`)
    .join('')
  const rows = view.devices
    .map((device) => {
      const forms = view.actions
        ? `<form class="inline" method="post" action="${escapeHtml(view.paths.device)}">${hidden(
            'csrf_token',
            view.csrfToken,
          )}${hidden('user_code', device.userCode)}<select name="username" aria-label="as user">${users}</select><button type="submit" name="action" value="approve">Approve</button><button type="submit" name="action" value="deny">Deny</button></form>`
        : 'the control API is off'
      return `<tr><td>${code(device.userCode)}</td><td>${code(device.clientId)}</td><td>${escapeHtml(
        device.scope.join(' '),
      )}</td><td>${Math.round(device.expiresIn)} s</td><td>${forms}</td></tr>`
    })
    .join('')
  return `<table><tr><th>user code</th><th>client</th><th>scope</th><th>expires in</th><th></th></tr>${rows}</table>`
}

function requestRows(view: DashboardView): string {
  if (view.requests.length === 0) return '<p>No requests yet.</p>'
  const rows = view.requests
    .map((entry) => {
      const when = new Date(entry.time * 1000).toISOString().slice(11, 19)
      const target = entry.outbound
        ? `→ ${code(entry.outbound.url)} (attempt ${entry.outbound.attempt}${
            entry.outbound.error ? `, ${escapeHtml(entry.outbound.error)}` : ''
          })`
        : code(entry.path)
      const params = Object.keys(entry.params).length ? json(entry.params) : ''
      const tokens = (entry.tokens ?? []).map(decodedHtml).join('')
      return `<tr><td>${when}</td><td>${escapeHtml(entry.method)} ${target}<br>${escapeHtml(
        entry.endpoint,
      )}</td><td>${entry.status || '—'}</td><td>${params}${tokens}</td></tr>`
    })
    .join('')
  return `<table><tr><th>time</th><th>request</th><th>status</th><th>parameters and tokens</th></tr>${rows}</table>`
}

/**
 * The dashboard at `/`: endpoints, clients (never secrets), users (never passwords), pending
 * device codes, and recent requests with their JWTs decoded. Plain HTML, no script.
 */
export function renderDashboard(view: DashboardView, headers: Record<string, string>): Response {
  const endpoints = view.endpoints
    .map(([name, url]) => `<tr><td>${escapeHtml(name)}</td><td>${code(url)}</td></tr>`)
    .join('')
  const body = `<h1>mock-idp</h1>
<p>Issuer ${code(view.issuer)} · clock ${escapeHtml(new Date(view.now * 1000).toISOString())}</p>
<h2>Endpoints</h2><table>${endpoints}</table>
<h2>Clients</h2>
<table><tr><th>client</th><th>type</th><th>grants</th><th>redirect URIs</th><th>post-logout URIs</th><th></th></tr>${clientRows(view)}</table>
<form method="post" action="${escapeHtml(view.paths.callback)}">${hidden('csrf_token', view.csrfToken)}
<label for="url">Finish a login: paste the address the browser was sent to after "Try a login"</label>
<input id="url" name="url" placeholder="http://localhost:5173/callback?code=…&amp;state=…" required>
<button type="submit">Show the tokens</button></form>
<h2>Users</h2>
<table><tr><th>username</th><th>sub</th><th>claims</th><th>sessions</th></tr>${userRows(view)}</table>
<h2>Pending device codes</h2>${deviceRows(view)}
<h2>Recent requests</h2>${requestRows(view)}`
  return renderPage('Dashboard', body, 200, headers, { wide: true })
}

/** Asks for the admin token before the dashboard opens (listener with an admin token). */
export function renderUnlockPage(options: {
  action: string
  csrfToken: string
  error?: string
  status?: number
  headers: Record<string, string>
}): Response {
  const body = `<h1>mock-idp dashboard</h1>
<p>This server has an admin token (mock-idp prints it at start-up). Enter it to open the dashboard.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}">${hidden('csrf_token', options.csrfToken)}
<label for="admin_token">Admin token</label>
<input id="admin_token" name="admin_token" type="password" autocomplete="off" required autofocus>
<button type="submit">Open</button></form>`
  return renderPage('Dashboard', body, options.status ?? 200, options.headers)
}

/** A token shown by its start and length only. */
export function truncated(token: string): string {
  return `${token.slice(0, 12)}… (${token.length} characters)`
}

/** The end of a dashboard login: what came back, and the decoded tokens. */
export function renderLoginResult(options: {
  clientId: string
  lines: string[]
  tokens: DecodedJwt[]
  error?: string
  dashboard: string
}): Response {
  const body = `<h1>Login with ${code(options.clientId)}</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<ul>${options.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
${options.tokens.map(decodedHtml).join('')}
<p><a href="${escapeHtml(options.dashboard)}">Back to the dashboard</a></p>`
  return renderPage('Login result', body, options.error ? 400 : 200, {}, { wide: true })
}
