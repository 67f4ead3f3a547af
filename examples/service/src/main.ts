import { createWorker } from './worker.js'

const issuer = process.env.MOCK_IDP_ISSUER ?? 'http://localhost:9400'
const apiUrl = process.env.API_URL ?? 'http://localhost:4000'
const interval = Number(process.env.INTERVAL_MS ?? 5000)

console.log(
  `example-service calling ${apiUrl}/api/data every ${interval / 1000} s with a client-credentials token from ${issuer}`,
)
const stop = createWorker({ issuer, apiUrl }).start(interval)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop()
    process.exit(0)
  })
}
