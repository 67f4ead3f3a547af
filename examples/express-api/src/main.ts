import { createApi } from './app.js'

const port = Number(process.env.PORT ?? 4000)
const issuer = process.env.MOCK_IDP_ISSUER ?? 'http://localhost:9400'

const server = createApi({ issuer }).listen(port, () => {
  console.log(`example-express-api listening on http://localhost:${port}`)
})
server.on('error', (err) => {
  console.error(`example-express-api could not start: ${err.message}`)
  process.exit(1)
})
