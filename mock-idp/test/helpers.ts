import { createHash, randomBytes } from 'node:crypto'
import type { MockIdp } from '@oidckit/mock-idp'

export const ISSUER = 'http://localhost:9400'

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  return { verifier, challenge }
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

export function decodeJwt(token: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const [h, p] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>,
  }
}

/** POSTs a form to `path` of the IdP. */
export function post(
  idp: MockIdp,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return idp.fetch(
    new Request(`${idp.issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    }),
  )
}

export function get(
  idp: MockIdp,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return idp.fetch(new Request(`${idp.issuer}${path}`, { headers }))
}

/** A tiny cookie jar for driving the HTML pages. */
export class Browser {
  cookies = new Map<string, string>()
  constructor(readonly idp: MockIdp) {}

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const res = await this.idp.fetch(new Request(url, { ...init, headers, redirect: 'manual' }))
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      const value = pair!.slice(eq + 1)
      if (/Max-Age=0/.test(cookie)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }

  /** Submits the first form of an HTML page with the given fields filled in. */
  async submit(html: string, fields: Record<string, string>): Promise<Response> {
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1] ?? ''
    const form = new URLSearchParams()
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      form.set(match[1]!, unescape(match[2]!))
    }
    for (const [k, v] of Object.entries(fields)) form.set(k, v)
    return this.request(new URL(action, this.idp.issuer).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })
  }
}

function unescape(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** Runs the code flow through the login form for `spa` and returns the token response. */
export async function loginWithCode(
  idp: MockIdp,
  options: {
    clientId?: string
    scope?: string
    username?: string
    password?: string
    extra?: Record<string, string>
  } = {},
): Promise<{ tokens: Record<string, unknown>; browser: Browser }> {
  const browser = new Browser(idp)
  const { verifier, challenge } = pkce()
  const clientId = options.clientId ?? 'spa'
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: 'http://localhost:5173/callback',
    response_type: 'code',
    scope: options.scope ?? 'openid profile email',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...options.extra,
  })
  const page = await browser.request(`${idp.issuer}/oauth/authorize?${query}`)
  const done = await browser.submit(await page.text(), {
    username: options.username ?? 'alice',
    password: options.password ?? 'alice-password',
  })
  const location = new URL(done.headers.get('location')!)
  const res = await post(idp, '/oauth/token', {
    grant_type: 'authorization_code',
    code: location.searchParams.get('code')!,
    redirect_uri: 'http://localhost:5173/callback',
    code_verifier: verifier,
    client_id: clientId,
  })
  return { tokens: (await res.json()) as Record<string, unknown>, browser }
}
