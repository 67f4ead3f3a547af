import { createClient } from 'redis'
import { afterAll, beforeAll } from 'vitest'
import { startRedisServer } from '@oidckit/test-utils'
import type { RedisServer } from '@oidckit/test-utils'

export type RedisClient = ReturnType<typeof createClient>

/**
 * A real redis-server for this test file, and a connected client. Without the offline queue a
 * command fails at once while Redis is down, instead of waiting for it to come back.
 */
export function useRedis(): { readonly server: RedisServer; readonly client: RedisClient } {
  const context = {} as { server: RedisServer; client: RedisClient }
  beforeAll(async () => {
    context.server = await startRedisServer()
    context.client = createClient({ socket: context.server.socket, disableOfflineQueue: true })
    context.client.on('error', () => undefined)
    await context.client.connect()
  })
  afterAll(async () => {
    context.client?.destroy()
    await context.server?.stop()
  })
  return context
}

/** Resolves once the client has reconnected. */
export async function whenReady(client: RedisClient): Promise<void> {
  if (!client.isReady) await new Promise<void>((resolve) => client.once('ready', resolve))
}
