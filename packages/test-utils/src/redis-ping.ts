import { connect } from 'node:net'

/**
 * Where a Redis server listens: a unix socket, or a TCP host and port. Typed to fit node-redis's
 * `socket` option as it is (its unix-socket form wants `tls: false`).
 */
export type RedisAddress = { path: string; tls: false } | { host: string; port: number }

/**
 * Sends one RESP `PING` and resolves `true` on `+PONG`, `false` on anything else: a refused or
 * reset connection, an error reply, or no answer within `timeoutMs`.
 *
 * @example
 * ```ts
 * if (await pingRedis(server.socket)) console.log('up')
 * ```
 */
export function pingRedis(address: RedisAddress, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host)
    let reply = ''
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk: string) => {
      reply += chunk
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
    socket.on('error', () => done(false))
    socket.on('close', () => done(false))
  })
}
