/**
 * A person's browser for the providers' HTML pages: a cookie jar, redirects followed by hand,
 * and forms submitted with their hidden fields. It runs no script, as the pages need none.
 */
export interface Form {
  action: string
  method: string
  id: string | undefined
  fields: URLSearchParams
}

export class UserAgent {
  readonly cookies = new Map<string, string>()
  /** Every URL requested, in order: the redirect chain a browser would walk. */
  readonly visited: string[] = []

  constructor(private readonly fetcher: (request: Request) => Promise<Response> = fetch) {}

  /** One request, no redirect followed, cookies sent and stored. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const href = String(url)
    this.visited.push(href)
    const headers = new Headers(init.headers)
    const origin = new URL(href).host
    const jar = [...this.cookies].filter(([key]) => key.startsWith(`${origin} `))
    if (jar.length > 0) {
      headers.set('cookie', jar.map(([key, value]) => `${key.split(' ')[1]}=${value}`).join('; '))
    }
    const response = await this.fetcher(new Request(href, { ...init, headers, redirect: 'manual' }))
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';')
      const eq = pair.indexOf('=')
      const key = `${origin} ${pair.slice(0, eq).trim()}`
      const value = pair.slice(eq + 1).trim()
      const expired =
        /max-age=(0|-\d+)/i.test(cookie) || /expires=Thu, 01 Jan 1970/i.test(cookie) || !value
      if (expired) this.cookies.delete(key)
      else this.cookies.set(key, value)
    }
    return response
  }

  /**
   * Follows redirects (303/302/301/307 as a browser would) until an answer that is not one,
   * or until `stop(url)` says the next location belongs to the app (the redirect URI).
   */
  async follow(
    url: string | URL,
    init: RequestInit = {},
    stop: (location: URL) => boolean = () => false,
  ): Promise<{ response: Response; url: URL }> {
    let current = new URL(url)
    let response = await this.request(current, init)
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || !location) break
      await response.body?.cancel()
      current = new URL(location, current)
      if (stop(current)) return { response, url: current }
      response = await this.request(current)
    }
    return { response, url: current }
  }

  /** Submits a form of the page with `fields` set over its own (hidden) inputs. */
  submit(
    page: { html: string; url: URL },
    fields: Record<string, string> = {},
    pick: (form: Form) => boolean = () => true,
    stop?: (location: URL) => boolean,
  ): Promise<{ response: Response; url: URL }> {
    const form = parseForms(page.html).find(pick)
    if (!form) throw new Error(`no matching form on ${page.url.href}:\n${page.html.slice(0, 2000)}`)
    for (const [key, value] of Object.entries(fields)) form.fields.set(key, value)
    const action = new URL(form.action || page.url.href, page.url)
    return this.follow(
      action,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.fields,
      },
      stop,
    )
  }
}

/** The forms of an HTML page with the values of their inputs (text inputs included). */
export function parseForms(html: string): Form[] {
  const forms: Form[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = parseAttributes(match[1] ?? '')
    const fields = new URLSearchParams()
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*?)\/?>/gi)) {
      const attrs = parseAttributes(input[1] ?? '')
      if (attrs.name) fields.set(attrs.name, attrs.value ?? '')
    }
    forms.push({
      action: attributes.action ?? '',
      method: (attributes.method ?? 'get').toLowerCase(),
      id: attributes.id,
      fields,
    })
  }
  return forms
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const match of source.matchAll(/([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = match[1]!.toLowerCase()
    attributes[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return attributes
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/')
    .replace(/&amp;/g, '&')
}
