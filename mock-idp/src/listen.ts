import type { AddressInfo } from 'node:net'

/**
 * A running HTTP server: `url` is where it answers (`http://host:port`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @example
 * const server = await idp.listen({ port: 0 })
 * await fetch(`${server.url}/.well-known/openid-configuration`)
 * await server.close()
 */
export interface MockIdpServer {
  url: string
  port: number
  close(): Promise<void>
}

/** Where to listen; `port: 0` picks a free port. Host defaults to 127.0.0.1 (loopback only). */
export interface ListenOptions {
  port?: number
  host?: string
}

export type Handler = (request: Request, remoteAddress: string | undefined) => Promise<Response>

/** Serves a fetch handler over Node's HTTP server through `@hono/node-server`. */
export async function serveHandler(
  handler: Handler,
  options: ListenOptions = {},
): Promise<MockIdpServer> {
  const { createAdaptorServer } = await import('@hono/node-server')
  const host = options.host ?? '127.0.0.1'
  const server = createAdaptorServer({
    fetch: (request: Request, env: { incoming?: { socket?: { remoteAddress?: string } } }) =>
      handler(request, env.incoming?.socket?.remoteAddress),
    overrideGlobalObjects: false,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      }),
  }
}
