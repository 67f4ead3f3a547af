import { createApi, SPA_ORIGINS } from './app.js'

const port = Number(process.env.PORT ?? 4000)
const issuer = process.env.MOCK_IDP_ISSUER ?? 'http://localhost:9400'
// The SPA's origins, comma-separated, when it runs elsewhere than on port 5173.
const corsOrigins = process.env.CORS_ORIGINS?.split(',').map((origin) => origin.trim())

const server = createApi({ issuer, corsOrigins: corsOrigins ?? SPA_ORIGINS }).listen(port, () => {
  console.log(`example-express-api listening on http://localhost:${port}`)
})
server.on('error', (err) => {
  console.error(`example-express-api could not start: ${err.message}`)
  process.exit(1)
})
