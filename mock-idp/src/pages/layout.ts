/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * Headers every page carries: no framing (S-13), no referrer leak (AS-10), no third-party
 * resources (S-11), no caching.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html;charset=UTF-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}
h1{font-size:1.3rem;margin:0 0 .5rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit;cursor:pointer}
main.wide{width:min(72rem,96vw);margin:1.5rem 0}main.wide code{font-size:.85rem;letter-spacing:0;word-break:break-all}body:has(main.wide){place-items:start center}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;vertical-align:top;border-bottom:1px solid #ddd;padding:.35rem .5rem}
h2{font-size:1.1rem;margin:1.6rem 0 .4rem}pre{background:#f4f5f7;padding:.5rem;overflow:auto;font-size:.8rem;margin:.3rem 0}
form.inline{display:inline}form.inline button,form.inline select{margin:0 .2rem 0 0;padding:.2rem .6rem}
.ok{color:#060}.error{color:#a00}li code,p code{font-size:.9rem;word-break:break-all;letter-spacing:0}.hint{color:#555;font-size:.85rem}code{font-size:1.2rem;letter-spacing:.1em}`

/** A whole page around `body` (already-escaped HTML). */
export function renderPage(
  title: string,
  body: string,
  status = 200,
  headers: Record<string, string> = {},
  options: { wide?: boolean } = {},
): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · mock-idp</title><style>${STYLE}</style></head>
<body><main${options.wide ? ' class="wide"' : ''}>${body}</main></body></html>`
  return new Response(html, { status, headers: { ...PAGE_HEADERS, ...headers } })
}

/** Longest received value an error page shows; the rest is cut with an ellipsis. */
const MAX_SHOWN = 300

/** What an error page shows besides its message: the value received and the ones expected. */
export interface ErrorDetails {
  /** What the request sent; `undefined` when it sent nothing. */
  received: string | undefined
  receivedLabel: string
  /** The registered values the request should have matched. */
  registered: readonly string[]
  registeredLabel: string
}

function detailsHtml(details: ErrorDetails): string {
  const received =
    details.received === undefined
      ? '<em>nothing</em>'
      : `<code>${escapeHtml(
          details.received.length > MAX_SHOWN
            ? `${details.received.slice(0, MAX_SHOWN)}…`
            : details.received,
        )}</code>`
  const registered = details.registered.length
    ? `<ul>${details.registered.map((value) => `<li><code>${escapeHtml(value)}</code></li>`).join('')}</ul>`
    : '<p><em>none</em></p>'
  return `<p>${escapeHtml(details.receivedLabel)}: ${received}</p>
<p>${escapeHtml(details.registeredLabel)}:</p>${registered}`
}

/**
 * A page that explains a problem and redirects nowhere (S-2); with `details`, it shows the value
 * received next to the registered ones, so a misconfigured client is plain to see.
 */
export function renderErrorPage(
  message: string,
  status = 400,
  headers: Record<string, string> = {},
  details?: ErrorDetails,
): Response {
  return renderPage(
    'Error',
    `<h1>Something is wrong</h1><p class="error">${escapeHtml(message)}</p>${
      details ? detailsHtml(details) : ''
    }`,
    status,
    headers,
  )
}

/** A hidden form field. */
export function hidden(name: string, value: string | undefined): string {
  return value === undefined
    ? ''
    : `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`
}
