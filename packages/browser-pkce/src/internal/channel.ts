import type { ChannelLike } from '../browser-auth-options.js'
import type { TokenSetJSON } from '@oidckit/core'

/** What tabs of one app tell each other. */
export type TabMessage =
  | { type: 'tokens'; gen: number; tokens: TokenSetJSON }
  | { type: 'logout'; gen: number }
  | { type: 'hello' }

export function defaultChannel(name: string): ChannelLike | null {
  if (typeof globalThis.BroadcastChannel !== 'function') return null
  try {
    return new globalThis.BroadcastChannel(name) as unknown as ChannelLike
  } catch {
    return null
  }
}

export function isTabMessage(data: unknown): data is TabMessage {
  if (typeof data !== 'object' || data === null) return false
  const message = data as Record<string, unknown>
  if (message.type === 'hello') return true
  if (typeof message.gen !== 'number') return false
  if (message.type === 'logout') return true
  return message.type === 'tokens' && typeof message.tokens === 'object' && message.tokens !== null
}
