import { createWebServer } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const issuer = process.env.MOCK_IDP_ISSUER ?? 'http://localhost:9400'
const secret = process.env.SESSION_SECRET

const server = createWebServer({ issuer, baseUrl: `http://localhost:${port}`, secret }).listen(
  port,
  () => {
    console.log(`example-web-server listening on http://localhost:${port}`)
  },
)
server.on('error', (err) => {
  console.error(`example-web-server could not start: ${err.message}`)
  process.exit(1)
})
