import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTokenVerifier, requireAuth } from '@oidckit/node-server'
import express, { type Request, type Response } from 'express'
import { auth } from 'express-oauth2-jwt-bearer'
import type { BenchConfig } from './config.js'
import { makeFigure, type Figure } from './figure.js'
import { AUDIENCE, startIssuer } from './issuer.js'
import { runLoad } from './load.js'
import { probe } from './processes.js'

type Guard = express.RequestHandler | undefined

function listen(guard: Guard): Promise<{ url: string; server: Server }> {
  const app = express()
  app.set('etag', false)
  app.set('x-powered-by', false)
  const handler = (_req: Request, res: Response) => {
    res.json({ ok: true })
  }
  if (guard) app.get('/api', guard, handler)
  else app.get('/api', handler)
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err?: Error) => {
      if (err) return reject(err)
      const { port } = server.address() as AddressInfo
      resolve({ url: `http://127.0.0.1:${port}/api`, server })
    })
  })
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/**
 * Requests per second through Express on loopback with autocannon (10 connections), every
 * request carrying the same RS256 bearer token: a bare route, the route behind oidckit
 * `requireAuth` (uncached and cached verifier) and behind express-oauth2-jwt-bearer `auth()`.
 */
export async function benchExpress(config: BenchConfig): Promise<Figure[]> {
  const issuer = await startIssuer('RS256')
  const servers: Server[] = []
  try {
    const guards: Record<string, Guard> = {
      bare: undefined,
      oidckit: requireAuth(
        createTokenVerifier({ issuer: issuer.url, audience: AUDIENCE }),
      ) as express.RequestHandler,
      cached: requireAuth(
        createTokenVerifier({ issuer: issuer.url, audience: AUDIENCE, cache: true }),
      ) as express.RequestHandler,
      auth0: auth({ issuerBaseURL: issuer.url, audience: AUDIENCE }),
    }
    const headers = { authorization: `Bearer ${issuer.token}` }
    const urls: Record<string, string> = {}
    for (const [name, guard] of Object.entries(guards)) {
      const { url, server } = await listen(guard)
      servers.push(server)
      urls[name] = url
    }
    const samples: Record<string, number[]> = {}
    for (const [name, url] of Object.entries(urls)) {
      samples[name] = []
      if (config.warmupSeconds > 0) await runLoad({ url, headers, seconds: config.warmupSeconds })
      else await probe(url)
    }
    for (let run = 0; run < config.runs; run++) {
      for (const [name, url] of Object.entries(urls)) {
        const result = await runLoad({ url, headers, seconds: config.loadSeconds })
        samples[name]!.push(result.requestsPerSecond)
      }
    }
    const bare = { name: 'bare Express', samples: samples.bare! }
    const unit = 'req/s'
    return [
      makeFigure({ name: 'Express, no auth', unit, samples: samples.bare! }),
      makeFigure({
        name: 'Express + oidckit requireAuth',
        unit,
        samples: samples.oidckit!,
        anchor: bare,
        target: { on: 'ratio', op: '>=', value: 0.6 },
      }),
      makeFigure({
        name: 'Express + oidckit requireAuth, cached',
        unit,
        samples: samples.cached!,
        anchor: bare,
      }),
      makeFigure({
        name: 'Express + express-oauth2-jwt-bearer',
        unit,
        samples: samples.auth0!,
        anchor: bare,
        note: 'about 0.45x expected',
      }),
    ]
  } finally {
    await Promise.all(servers.map(close))
    await issuer.close()
  }
}
