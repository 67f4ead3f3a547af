import { createWebServer } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const issuer = process.env.MOCK_IDP_ISSUER ?? 'http://localhost:9400'
const secret = process.env.SESSION_SECRET

let app
try {
  app = createWebServer({ issuer, baseUrl: `http://localhost:${port}`, secret })
} catch (err) {
  // A bad setting (SESSION_SECRET too short…) is one line, not a stack trace.
  console.error(`example-web-server could not start: ${(err as Error).message}`)
  process.exit(1)
}
const server = app.listen(port, () => {
  console.log(`example-web-server listening on http://localhost:${port}`)
})
server.on('error', (err) => {
  console.error(`example-web-server could not start: ${err.message}`)
  process.exit(1)
})
