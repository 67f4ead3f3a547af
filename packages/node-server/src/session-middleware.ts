import type { IncomingMessage, ServerResponse } from 'node:http'
import { OidcKitError } from '@oidckit/core'
import type { WebAuth, WebSession } from './web-auth.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user's session (or `null`), set by `sessionMiddleware()`. */
      oidc?: WebSession | null
    }
  }
}

/**
 * Express / Connect middleware that reads the session of {@link createWebAuth} into `req.oidc`
 * (`null` when signed out), refreshing the tokens and updating the cookie when needed. When the
 * session store is unreachable it answers 503 itself (fail closed: no route runs without
 * knowing who the user is).
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1
 * @example
 * ```ts
 * app.use(sessionMiddleware(web))
 * app.get('/', (req, res) => res.send(req.oidc ? `Hello ${req.oidc.user.name}` : 'Signed out'))
 * ```
 */
export function sessionMiddleware(
  web: WebAuth,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const headers = new Headers()
    // Only the cookies matter; the body stays unread for the routes after this one.
    const request = new Request('http://localhost/', {
      headers: { cookie: req.headers.cookie ?? '' },
    })
    web.getSession(request, headers).then(
      (session) => {
        ;(req as IncomingMessage & { oidc?: WebSession | null }).oidc = session
        const cookies = headers.getSetCookie()
        if (cookies.length) res.appendHeader('set-cookie', cookies)
        next()
      },
      (err: unknown) => {
        if (!(err instanceof OidcKitError)) return next(err)
        if (!res.headersSent) {
          res.writeHead(503, {
            'content-type': 'text/plain; charset=utf-8',
            'cache-control': 'no-store',
            'retry-after': '5',
          })
        }
        res.end('The session store is unavailable. Try again shortly.')
      },
    )
  }
}
