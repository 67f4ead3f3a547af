import { createServer } from 'node:net'

/**
 * Whether `port` is free on every local address: it binds the unspecified address (IPv6 and
 * IPv4 at once), which fails while anything listens on the port on any address, loopback
 * included. The app may still lose a race for the port; its start-up failure is caught too.
 */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)))
  })
}
