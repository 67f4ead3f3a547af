import type { ResolvedUser } from '../internal/resolve-config.js'
import { escapeHtml, hidden, renderPage } from './layout.js'

export interface LoginPageOptions {
  action: string
  clientName: string
  csrfToken: string
  fields: Record<string, string | undefined>
  loginHint?: string | undefined
  error?: string | undefined
  users: Iterable<ResolvedUser>
  status?: number
  headers?: Record<string, string>
}

/**
 * The login form (POST `username`, `password`, a CSRF token and hidden transaction fields). It
 * works without JavaScript, so any HTTP client can drive it.
 */
export function renderLoginPage(options: LoginPageOptions): Response {
  const hints = [...options.users]
    .map((user) => {
      const display = user.claims.displayName ?? user.claims.name
      return `<li><code>${escapeHtml(user.username)}</code>${typeof display === 'string' ? ` (${escapeHtml(display)})` : ''}</li>`
    })
    .join('')
  const body = `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(options.clientName)}</strong></p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}">
${hidden('csrf_token', options.csrfToken)}
${Object.entries(options.fields)
  .map(([name, value]) => hidden(name, value))
  .join('\n')}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(options.loginHint ?? '')}"${options.loginHint ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${options.loginHint ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<p class="hint">mock-idp test users:</p><ul class="hint">${hints}</ul>`
  return renderPage('Sign in', body, options.status ?? 200, options.headers ?? {})
}
