import { escapeHtml, hidden, renderPage } from './layout.js'

/** The device page's first step: type the code shown on the device (field `user_code`). */
export function renderUserCodePage(options: {
  action: string
  csrfToken: string
  userCode?: string | undefined
  error?: string | undefined
  status?: number
  headers?: Record<string, string>
}): Response {
  const body = `<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}">
${hidden('csrf_token', options.csrfToken)}${hidden('action', 'code')}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" required autofocus value="${escapeHtml(options.userCode ?? '')}">
<button type="submit">Continue</button>
</form>`
  return renderPage('Connect a device', body, options.status ?? 200, options.headers ?? {})
}

/** RFC 8628 §5.4: show what is asking and have the user confirm the code. */
export function renderDeviceConfirmPage(options: {
  action: string
  csrfToken: string
  userCode: string
  clientName: string
  scope: string[]
  username: string
  headers?: Record<string, string>
}): Response {
  const body = `<h1>Allow access?</h1>
<p><strong>${escapeHtml(options.clientName)}</strong> asks to sign in as <strong>${escapeHtml(options.username)}</strong>${
    options.scope.length ? ` with <code>${escapeHtml(options.scope.join(' '))}</code>` : ''
  }.</p>
<p>Check that your device shows <code>${escapeHtml(options.userCode)}</code>.</p>
<form method="post" action="${escapeHtml(options.action)}">
${hidden('csrf_token', options.csrfToken)}${hidden('user_code', options.userCode)}
<button type="submit" name="action" value="approve">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>`
  return renderPage('Allow access?', body, 200, options.headers ?? {})
}
