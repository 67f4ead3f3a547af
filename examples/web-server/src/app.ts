import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { createWebAuth, sessionMiddleware, toNodeHandler } from '@oidckit/node-server'
import type { WebAuthOptions } from '@oidckit/node-server'

/** Options of {@link createWebServer}. */
export interface WebServerOptions {
  issuer: string
  /** This app's public URL. Default `http://localhost:3000`. */
  baseUrl?: string
  clientId?: string
  clientSecret?: string
  /** The session cookie secret (32+ characters). */
  secret?: string
  fetch?: WebAuthOptions['fetch']
}

const escape = (value: unknown) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui;max-width:42rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}</style>
</head><body>${body}</body></html>`
}

/** The example server-rendered app: sign in with the provider, see who you are, sign out. */
export function createWebServer(options: WebServerOptions): express.Express {
  const baseUrl = options.baseUrl ?? 'http://localhost:3000'
  const web = createWebAuth({
    issuer: options.issuer,
    clientId: options.clientId ?? 'web-app',
    clientSecret: options.clientSecret ?? 'web-app-secret',
    baseUrl,
    secret: options.secret ?? 'example-web-server-development-secret-change-me',
    fetch: options.fetch,
  })
  const app = express()
  app.disable('x-powered-by')
  app.get('/login', toNodeHandler(web.login, { baseUrl }))
  app.get('/callback', toNodeHandler(web.callback, { baseUrl }))
  app.post('/logout', toNodeHandler(web.logout, { baseUrl }))
  app.use(sessionMiddleware(web))

  app.get('/', (req, res) => {
    const session = req.oidc
    if (!session) {
      res.send(
        page(
          'Signed out',
          `<h1>oidckit web-server example</h1><p>You are signed out.</p><p><a href="/login">Sign in</a></p>`,
        ),
      )
      return
    }
    const rows = Object.entries(session.user)
      .map(
        ([name, value]) =>
          `<tr><th>${escape(name)}</th><td>${escape(JSON.stringify(value))}</td></tr>`,
      )
      .join('')
    res.send(
      page(
        'Signed in',
        `<h1>Hello, ${escape(session.user.name ?? session.user.sub)}</h1>
<p>Signed in as <strong>${escape(session.user.sub)}</strong>.</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>
<h2>ID token claims</h2><table>${rows}</table>`,
      ),
    )
  })

  app.use((_req, res) => {
    res.status(404).send(page('Not found', '<h1>Not found</h1><p><a href="/">Home</a></p>'))
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error('unexpected error', err instanceof Error ? err.message : err)
    res.status(500).send(page('Error', '<h1>Something went wrong</h1><p><a href="/">Home</a></p>'))
  })
  return app
}
