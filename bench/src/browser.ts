import type { MockIdp } from '@oidckit/mock-idp'

/**
 * The few things a browser does on mock-idp's pages, in-process through `idp.fetch`: keep
 * cookies, not follow redirects, and submit the page's form.
 */
export class Browser {
  readonly #cookies = new Map<string, string>()
  constructor(readonly idp: MockIdp) {}

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#cookies.size > 0) {
      headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const res = await this.idp.fetch(new Request(url, { ...init, headers, redirect: 'manual' }))
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';', 1)[0]!
      const eq = pair.indexOf('=')
      if (/Max-Age=0/i.test(cookie)) this.#cookies.delete(pair.slice(0, eq))
      else this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return res
  }

  /** Submits the page's first form with its hidden fields and `fields` filled in. */
  async submit(html: string, fields: Record<string, string>): Promise<Response> {
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1]
    if (action === undefined) throw new Error('the page has no form')
    const form = new URLSearchParams()
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      form.set(match[1]!, unescapeHtml(match[2]!))
    }
    for (const [name, value] of Object.entries(fields)) form.set(name, value)
    return this.request(new URL(unescapeHtml(action), this.idp.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })
  }
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}
