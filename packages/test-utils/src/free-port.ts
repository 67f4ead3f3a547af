import { createServer } from 'node:net'

/**
 * A port that was free on 127.0.0.1 a moment ago. Someone may take it before you bind it: prefer
 * `listen(0)` where the server allows it, and retry where it does not.
 *
 * @example
 * ```ts
 * const port = await freePort()
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
