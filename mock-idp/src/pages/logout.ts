import { escapeHtml, hidden, renderPage } from './layout.js'

/**
 * Asks the user to confirm signing out (OpenID Connect RP-Initiated Logout §2, AS-11): a logout
 * request that does not prove it comes from the user's own relying party ends nothing until the
 * user sends this form, which carries a CSRF token (AS-10).
 */
export function renderLogoutConfirmPage(options: {
  action: string
  csrfToken: string
  username?: string | undefined
  fields: Record<string, string | undefined>
  headers?: Record<string, string>
}): Response {
  const who = options.username ? ` as <strong>${escapeHtml(options.username)}</strong>` : ''
  const body = `<h1>Sign out?</h1>
<p>Sign out of mock-idp${who}?</p>
<form method="post" action="${escapeHtml(options.action)}">
${hidden('csrf_token', options.csrfToken)}${hidden('action', 'logout')}${Object.entries(
    options.fields,
  )
    .map(([name, value]) => hidden(name, value))
    .join('')}
<button type="submit">Sign out</button>
</form>
<p class="hint">If you did not ask to sign out, close this page.</p>`
  return renderPage('Sign out?', body, 200, options.headers ?? {})
}
