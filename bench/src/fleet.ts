import { createMockIdp } from '@oidckit/mock-idp'
import { startRedisServer } from '@oidckit/test-utils'
import { runFleet } from '../../packages/service-credentials/test/fixtures/fleet.js'
import type { BenchConfig } from './config.js'
import { makeFigure, type Figure } from './figure.js'

const PROCESSES = 4
const CALLERS = 250

/**
 * service-credentials across processes: token-endpoint requests when 4 Node processes × 250
 * concurrent `getToken()` callers start on a cold cache, with a shared Redis cache
 * (`redisTokenCache`, a real redis-server) and without one. mock-idp listens on 127.0.0.1 and
 * counts them in its request log.
 */
export async function benchFleet(config: BenchConfig): Promise<Figure[]> {
  const redis = await startRedisServer()
  const idp = createMockIdp()
  const server = await idp.listen({ port: 0 })
  const secret = 'a fleet-wide secret of at least 32 characters'
  const shared: number[] = []
  const alone: number[] = []
  try {
    // Counts, not times: they vary only if the single flight breaks, so three runs suffice.
    for (let run = 0; run < Math.min(config.runs, 3); run++) {
      for (const [samples, redisSocket] of [
        [shared, redis.socketPath],
        [alone, undefined],
      ] as const) {
        idp.clearRequests()
        if (redisSocket !== undefined) await redis.restart() // empty again: every run is cold
        const tokens = await runFleet({
          processes: PROCESSES,
          callers: CALLERS,
          issuer: server.url,
          redisSocket,
          secret,
        })
        if (tokens.some((own) => own.length !== 1)) throw new Error('a process got several tokens')
        samples.push(idp.requests().filter((r) => r.endpoint === 'token').length)
      }
    }
  } finally {
    await server.close()
    await redis.stop()
  }
  const name = `token requests, ${PROCESSES} processes × ${CALLERS} getToken() on a cold cache`
  return [
    makeFigure({
      name: `${name}, Redis cache`,
      unit: 'requests',
      samples: shared,
      target: { on: 'every run', op: '==', value: 1 },
    }),
    makeFigure({
      name: `${name}, process caches only`,
      unit: 'requests',
      samples: alone,
      note: 'one per process',
    }),
  ]
}
