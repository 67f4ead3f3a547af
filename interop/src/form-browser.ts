/** A tiny browser over HTTP for driving mock-idp's pages: cookies, manual redirects, forms. */
export class FormBrowser {
  cookies = new Map<string, string>()
  constructor(readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const url = path.startsWith('http') ? path : `${this.base}${path}`
    const res = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const eq = pair!.indexOf('=')
      if (/Max-Age=0/i.test(cookie)) this.cookies.delete(pair!.slice(0, eq))
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1))
    }
    return res
  }

  /** The hidden fields and the action of the first form of a page. */
  static form(html: string): { action: string; fields: URLSearchParams } {
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1] ?? ''
    const fields = new URLSearchParams()
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields.set(m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"'))
    }
    return { action: action.replace(/&amp;/g, '&'), fields }
  }

  post(
    path: string,
    fields: URLSearchParams | Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    })
  }
}
