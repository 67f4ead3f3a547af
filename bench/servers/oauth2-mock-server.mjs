// oauth2-mock-server, started as its README shows: generate an RS256 key, then listen. It
// answers any client_credentials request.
import { OAuth2Server } from 'oauth2-mock-server'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
const server = new OAuth2Server()
await server.issuer.keys.generate('RS256')
await server.start(port, '127.0.0.1')
process.on('SIGTERM', () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
