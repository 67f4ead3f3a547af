import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { createTokenVerifier } from '@oidckit/node-server'
import { auth } from 'express-oauth2-jwt-bearer'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose'
import type { BenchConfig } from './config.js'
import { makeFigure, type Figure } from './figure.js'
import { AUDIENCE, startIssuer, type TokenIssuer } from './issuer.js'
import { interleaved } from './throughput.js'

type Middleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => Promise<void>

/**
 * The floor: what any verifier must do at least, split the JWS, decode the signature and check
 * it with a `KeyObject` imported once (no claims, no JSON).
 */
function cryptoFloor(jwk: JWK, alg: 'RS256' | 'ES256'): (token: string) => boolean {
  const key: KeyObject = createPublicKey({ key: jwk as never, format: 'jwk' })
  const keyInput = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key
  return (token) => {
    const dot = token.lastIndexOf('.')
    const signature = Buffer.from(token.slice(dot + 1), 'base64url')
    const ok = cryptoVerify('sha256', Buffer.from(token.slice(0, dot)), keyInput, signature)
    if (!ok) throw new Error('bad signature')
    return ok
  }
}

/** express-oauth2-jwt-bearer's verifier, called as Express would call its middleware. */
function auth0Verifier(issuer: TokenIssuer): (token: string) => Promise<void> {
  const middleware = auth({
    issuerBaseURL: issuer.url,
    audience: AUDIENCE,
  }) as unknown as Middleware
  return (token) =>
    new Promise<void>((resolve, reject) => {
      const headers = { authorization: `Bearer ${token}`, host: 'localhost:4000' }
      const req = {
        headers,
        query: {},
        body: undefined,
        method: 'GET',
        protocol: 'http',
        url: '/api',
        originalUrl: '/api',
        get: (name: string) => (headers as Record<string, string>)[name.toLowerCase()],
        is: () => false,
      }
      void middleware(req, {}, (err) => (err ? reject(err as Error) : resolve()))
    })
}

/** The contenders for one algorithm, each checked once on the token before it is timed. */
async function contenders(issuer: TokenIssuer): Promise<Record<string, () => unknown>> {
  const { token, alg, url } = issuer
  const jwks = await issuer.idp.jwks()
  const kid = decodeProtectedHeader(token).kid
  const jwk = jwks.keys.find((k) => k.kid === kid)
  if (!jwk) throw new Error(`mock-idp's JWKS has no key ${kid}`)
  const floor = cryptoFloor(jwk, alg)
  const oidckit = createTokenVerifier({ issuer: url, audience: AUDIENCE, algorithms: [alg] })
  const cached = createTokenVerifier({
    issuer: url,
    audience: AUDIENCE,
    algorithms: [alg],
    cache: true,
  })
  const localJwks = createLocalJWKSet(jwks)
  const joseOptions = { issuer: url, audience: AUDIENCE, algorithms: [alg], typ: 'at+jwt' }
  const auth0 = auth0Verifier(issuer)
  const ops: Record<string, () => unknown> = {
    floor: () => floor(token),
    oidckit: () => oidckit.verify(token),
    cached: () => cached.verify(token),
    jose: () => jwtVerify(token, localJwks, joseOptions),
    auth0: () => auth0(token),
  }
  // One call each: the JWKS caches fill, and a contender that refuses the token fails here.
  for (const op of Object.values(ops)) await op()
  return ops
}

/**
 * Verifications per second of one RS256 and one ES256 access token from mock-idp, on a warm
 * JWKS cache: oidckit `verify()` (uncached and with `cache: true`), `jose.jwtVerify` on a
 * local JWK set, express-oauth2-jwt-bearer, and the `node:crypto` floor.
 */
export async function benchVerify(config: BenchConfig): Promise<Figure[]> {
  const figures: Figure[] = []
  for (const alg of ['RS256', 'ES256'] as const) {
    const issuer = await startIssuer(alg)
    try {
      const samples = await interleaved(await contenders(issuer), config.runs, config.windowMs)
      const floor = { name: `node:crypto verify ${alg}`, samples: samples.floor! }
      const unit = 'verifies/s'
      figures.push(
        makeFigure({ name: `node:crypto verify ${alg} (floor)`, unit, samples: samples.floor! }),
        makeFigure({
          name: `oidckit verify() ${alg}`,
          unit,
          samples: samples.oidckit!,
          anchor: floor,
          target: { on: 'ratio', op: '>=', value: alg === 'RS256' ? 0.85 : 0.9 },
        }),
        makeFigure({
          name: `oidckit verify() ${alg} vs jose`,
          unit,
          samples: samples.oidckit!,
          anchor: { name: `jose.jwtVerify ${alg}`, samples: samples.jose! },
          target: { on: 'ratio', op: '>', value: 2 },
        }),
        makeFigure({
          name: `oidckit verify() ${alg}, cached`,
          unit,
          samples: samples.cached!,
          anchor: floor,
          target: { on: 'ratio', op: '>=', value: 5 },
          note: 'the same token again, cache: true',
        }),
        makeFigure({ name: `jose.jwtVerify ${alg}`, unit, samples: samples.jose!, anchor: floor }),
        makeFigure({
          name: `express-oauth2-jwt-bearer ${alg}`,
          unit,
          samples: samples.auth0!,
          anchor: floor,
        }),
      )
    } finally {
      await issuer.close()
    }
  }
  return figures
}
