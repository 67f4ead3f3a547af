import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { createTokenVerifier, requireAuth, requireScopes } from '@oidckit/node-server'
import type { TokenVerifierOptions } from '@oidckit/node-server'

/** Options of {@link createApi}. */
export interface ApiOptions {
  /** The issuer whose access tokens the API accepts. */
  issuer: string
  /** This API's identifier, the `aud` its tokens carry. Default `http://localhost:4000`. */
  audience?: string
  /** Browser origins allowed to call the API (CORS). Default: the example SPA's. */
  corsOrigins?: readonly string[]
  /** The fetch used for discovery and the JWKS (tests pass mock-idp's `idp.fetch`). */
  fetch?: TokenVerifierOptions['fetch']
}

export const DEFAULT_AUDIENCE = 'http://localhost:4000'
export const SPA_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173']

/** Lets the SPA call the API with a bearer token; no cookies, so no credentials mode. */
function cors(origins: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin
    res.vary('Origin')
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type')
        res.setHeader('Access-Control-Max-Age', '600')
        res.status(204).end()
        return
      }
      res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate')
    }
    next()
  }
}

/**
 * The example API: `GET /api/public` for anyone, `GET /api/me` for any valid access token,
 * `GET /api/data` for tokens with the `api:read` scope.
 */
export function createApi(options: ApiOptions): express.Express {
  const verifier = createTokenVerifier({
    issuer: options.issuer,
    audience: options.audience ?? DEFAULT_AUDIENCE,
    fetch: options.fetch,
    cache: true,
    onFailure: (failure) => console.warn(`token refused: ${failure.code} (${failure.message})`),
  })
  const app = express()
  app.disable('x-powered-by')
  app.use(cors(options.corsOrigins ?? SPA_ORIGINS))

  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Public data: no token needed.' })
  })

  app.get('/api/me', requireAuth(verifier), (req, res) => {
    const { claims, scopes } = req.auth!
    res.json({
      sub: claims.sub,
      name: claims.name ?? null,
      clientId: claims.client_id ?? null,
      scopes,
      claims,
    })
  })

  app.get('/api/data', requireAuth(verifier), requireScopes('api:read'), (req, res) => {
    res.json({
      owner: req.auth!.claims.sub,
      items: [
        { id: 1, name: 'Mad Hatter tea set' },
        { id: 2, name: 'Cheshire cat grin' },
      ],
    })
  })

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' })
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error('unexpected error', err instanceof Error ? err.message : err)
    res.status(500).json({ error: 'server_error' })
  })
  return app
}
