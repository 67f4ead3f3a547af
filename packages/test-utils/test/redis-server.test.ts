import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { pingRedis, startRedisServer } from '@oidckit/test-utils'
import type { RedisServer } from '@oidckit/test-utils'

const started: RedisServer[] = []
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()))
})

const start = async (transport?: 'unix' | 'tcp') => {
  const server = await startRedisServer({ transport })
  started.push(server)
  return server
}

test('starts redis-server on a unix socket in its own directory, with no TCP port', async () => {
  const server = await start()
  expect(server.socketPath).toMatch(/redis\.sock$/)
  expect(server.url).toBe(`unix://${server.socketPath}`)
  expect(server.socket).toEqual({ path: server.socketPath, tls: false })
  expect(await pingRedis(server.socket)).toBe(true)
})

test('two servers started side by side get their own addresses', async () => {
  const [a, b] = await Promise.all([start(), start()])
  expect(a!.socketPath).not.toBe(b!.socketPath)
  expect(a!.pid).not.toBe(b!.pid)
})

test('starts on a free 127.0.0.1 port when asked for TCP', async () => {
  const server = await start('tcp')
  expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
  expect(server.socketPath).toBeUndefined()
  expect(await pingRedis(server.socket)).toBe(true)
})

test('kill() takes the server down at once, and restart() brings it back at the same address', async () => {
  const server = await start()
  await server.kill()
  expect(server.pid).toBeUndefined()
  expect(await pingRedis(server.socket)).toBe(false)
  await server.restart()
  expect(await pingRedis(server.socket)).toBe(true)
})

test('stop() ends the server and removes its directory; a second stop() is harmless', async () => {
  const server = await startRedisServer()
  const dir = path.dirname(server.socketPath!)
  await server.stop()
  expect(await pingRedis(server.socket)).toBe(false)
  expect(existsSync(dir)).toBe(false)
  await server.stop()
  await expect(server.restart()).rejects.toThrow(/stopped for good/)
})

test('names the Debian package when redis-server is not on the PATH', async () => {
  const saved = process.env.PATH
  process.env.PATH = '/nonexistent'
  try {
    await expect(startRedisServer()).rejects.toThrow(/apt-get install redis-server/)
  } finally {
    process.env.PATH = saved
  }
})
