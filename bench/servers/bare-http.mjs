// The cold-start floor: a bare node:http server answering a fixed discovery document.
import { createServer } from 'node:http'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
const issuer = `http://127.0.0.1:${port}`
const body = JSON.stringify({ issuer, token_endpoint: `${issuer}/token` })

createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(body)
}).listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
