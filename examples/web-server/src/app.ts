import { readFileSync } from 'node:fs'
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

/** The stylesheet every example shares, served at `/example.css`. */
const stylesheet = readFileSync(new URL('../../shared/example.css', import.meta.url), 'utf8')

/** The first letter of a name, for the avatar. */
const initial = (name: unknown) => String(name).trim().charAt(0).toUpperCase() || '?'

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · oidckit web-server example</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/example.css">
</head><body>
<header class="bar"><a class="brand" href="/"><span class="logo" aria-hidden="true"></span>oidckit</a>
<span class="tag">web-server example</span></header>
<main class="card">${body}</main>
<footer class="foot">Express with <code>@oidckit/node-server</code>: the session is an encrypted, HttpOnly cookie.</footer>
</body></html>`
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
  app.get('/example.css', (_req, res) => {
    res.type('css').set('cache-control', 'public, max-age=300').send(stylesheet)
  })
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
          `<span class="status">Signed out</span>
<h1>oidckit web-server example</h1>
<p class="muted">You are signed out. Sign in with the provider to see who you are and what your ID token says.</p>
<div class="actions"><a class="button" href="/login">Sign in</a></div>`,
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
        `<span class="status on">Signed in</span>
<div class="user"><span class="avatar" aria-hidden="true">${escape(initial(session.user.name ?? session.user.sub))}</span>
<div><h1>Hello, ${escape(session.user.name ?? session.user.sub)}</h1>
<p class="muted">Signed in as <strong>${escape(session.user.sub)}</strong>.</p></div></div>
<div class="actions"><form method="post" action="/logout"><button type="submit" class="secondary">Sign out</button></form></div>
<h2>ID token claims</h2><table>${rows}</table>`,
      ),
    )
  })

  app.use((_req, res) => {
    res
      .status(404)
      .send(page('Not found', '<h1>Not found</h1><p><a class="button" href="/">Home</a></p>'))
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error('unexpected error', err instanceof Error ? err.message : err)
    res.status(500).send(page('Error', '<h1>Something went wrong</h1><p><a href="/">Home</a></p>'))
  })
  return app
}
