import type { IncomingMessage, ServerResponse } from 'node:http'
import { toBearerError } from './bearer-error.js'
import type { RouteAuthOptions } from './bearer-auth.js'
import { checkScopes, scopeList } from './internal/claims.js'
import { resolveVerifier } from './internal/resolve-verifier.js'
import type { AuthResult, TokenVerifier, TokenVerifierOptions } from './token-verifier.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified access token, set by `requireAuth()`. */
      auth?: AuthResult
    }
  }
}

type NodeRequest = IncomingMessage & { auth?: AuthResult }
type Next = (err?: unknown) => void

function sendError(res: ServerResponse, err: unknown, options?: RouteAuthOptions): void {
  const { status, headers, body } = toBearerError(err, options)
  if (res.headersSent) {
    res.destroy()
    return
  }
  const json = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  })
  res.end(json)
}

/**
 * A guard for a plain Node `http` server: resolves to the verified {@link AuthResult}, or writes
 * the RFC 6750 error answer and resolves to `undefined`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @example
 * ```ts
 * const guard = nodeBearerAuth({ issuer: 'http://localhost:9400', audience: 'http://localhost:4000' })
 * createServer(async (req, res) => {
 *   const auth = await guard(req, res)
 *   if (!auth) return
 *   res.end(JSON.stringify({ sub: auth.claims.sub }))
 * })
 * ```
 */
export function nodeBearerAuth<Claims extends object = object>(
  verifier: TokenVerifier<Claims> | TokenVerifierOptions,
  options?: RouteAuthOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<AuthResult<Claims> | undefined> {
  const resolved = resolveVerifier<Claims>(verifier)
  const scopes = scopeList(options?.scopes)
  return async (req, res) => {
    try {
      // headersDistinct keeps repeated Authorization lines, which RP-15 refuses.
      const auth = await resolved.verifyAuthorization(req.headersDistinct.authorization)
      if (scopes.length) checkScopes(auth.scopes, scopes)
      return auth
    } catch (err) {
      sendError(res, err, options)
      return undefined
    }
  }
}

/**
 * Express / Connect middleware that lets a request through only with a valid bearer token,
 * setting `req.auth`; otherwise it answers 400/401/403 per RFC 6750 (503 when the issuer is
 * unreachable).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @example
 * ```ts
 * app.use('/api', requireAuth({ issuer: 'http://localhost:9400', audience: 'http://localhost:4000' }))
 * app.get('/api/me', (req, res) => res.json(req.auth!.claims))
 * ```
 */
export function requireAuth<Claims extends object = object>(
  verifier: TokenVerifier<Claims> | TokenVerifierOptions,
  options?: RouteAuthOptions,
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const guard = nodeBearerAuth(verifier, options)
  return (req, res, next) => {
    guard(req, res).then((auth) => {
      if (!auth) return
      ;(req as NodeRequest).auth = auth
      next()
    }, next)
  }
}

/**
 * Express / Connect middleware, after {@link requireAuth}, that needs these scopes on the token
 * and answers 403 `insufficient_scope` otherwise.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @example
 * ```ts
 * app.get('/api/data', requireAuth(verifier), requireScopes('api:read'), (req, res) => res.json([]))
 * ```
 */
export function requireScopes(
  ...scopes: string[]
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const needed = scopeList(scopes.flatMap((scope) => scope.split(' ')))
  return (req, res, next) => {
    try {
      const auth = (req as NodeRequest).auth
      if (!auth) {
        throw new TypeError('requireScopes() must come after requireAuth().')
      }
      checkScopes(auth.scopes, needed)
      next()
    } catch (err) {
      if (err instanceof TypeError) next(err)
      else sendError(res, err)
    }
  }
}
