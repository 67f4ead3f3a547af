import { createMockIdp } from '@oidckit/mock-idp'
import { createTokenSource } from '@oidckit/service-credentials'
import type { BenchConfig } from './config.js'
import { makeFigure, type Figure } from './figure.js'

const CALLERS = 1000

/** mock-idp in-process, and a fetch that counts its token-endpoint requests. */
function countingIdp() {
  const idp = createMockIdp()
  let tokenRequests = 0
  const fetch = (request: Request) => {
    if (new URL(request.url).pathname === '/oauth/token') tokenRequests++
    return idp.fetch(request)
  }
  const source = () =>
    createTokenSource({
      issuer: idp.issuer,
      clientId: 'service',
      clientSecret: 'service-secret',
      scope: 'api:read',
      fetch,
    })
  return { source, tokenRequests: () => tokenRequests }
}

/** Nanoseconds per awaited call of `op`, over `iterations` calls. */
async function nsPerCall(op: () => Promise<unknown>, iterations: number): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) await op()
  return Number(process.hrtime.bigint() - start) / iterations
}

/**
 * service-credentials over mock-idp in-process (`fetch: idp.fetch`): nanoseconds per cached
 * `getToken()` in a tight loop (anchor: awaiting an already-resolved promise), and the token
 * requests that 1,000 concurrent `getToken()` calls on a cold source make.
 */
export async function benchService(config: BenchConfig): Promise<Figure[]> {
  const { source } = countingIdp()
  const warm = source()
  const token = await warm.getToken()
  const resolved = () => Promise.resolve(token)
  const cached: number[] = []
  const floor: number[] = []
  await nsPerCall(() => warm.getToken(), config.loopIterations) // warm-up
  for (let run = 0; run < config.runs; run++) {
    cached.push(await nsPerCall(() => warm.getToken(), config.loopIterations))
    floor.push(await nsPerCall(resolved, config.loopIterations))
  }

  const requests: number[] = []
  for (let run = 0; run < config.runs; run++) {
    const idp = countingIdp()
    const cold = idp.source()
    const tokens = await Promise.all(Array.from({ length: CALLERS }, () => cold.getToken()))
    if (new Set(tokens).size !== 1) throw new Error('concurrent callers got different tokens')
    requests.push(idp.tokenRequests())
  }

  return [
    makeFigure({
      name: 'cached getToken()',
      unit: 'ns/call',
      samples: cached,
      anchor: { name: 'await Promise.resolve()', samples: floor },
      target: { on: 'median', op: '<', value: 1000 },
    }),
    makeFigure({
      name: `token requests for ${CALLERS} concurrent getToken() on a cold source`,
      unit: 'requests',
      samples: requests,
      target: { on: 'every run', op: '==', value: 1 },
    }),
  ]
}
