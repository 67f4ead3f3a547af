import type { Clients } from '../clients.js'
import type { MockIdpClock } from '../clock.js'
import type { KeyStore } from '../keys.js'
import type { SessionRecord } from '../records.js'
import type { Store } from '../store.js'
import type { Users } from '../users.js'
import type { ResolvedConfig } from './resolve-config.js'

/** Everything an endpoint needs; one per `createMockIdp()`. */
export interface IdpContext {
  config: ResolvedConfig
  clock: MockIdpClock
  keys: KeyStore
  store: Store
  users: Users
  clients: Clients
  /** Call when a session ends: its clients get back-channel logouts. Never rejects. */
  sessionEnded(session: SessionRecord): Promise<void>
}

/** Path prefix of the issuer (`''` for an origin-only issuer). */
export function issuerPath(ctx: IdpContext): string {
  const path = new URL(ctx.config.issuer).pathname
  return path === '/' ? '' : path
}

export function endpointUrl(ctx: IdpContext, path: string): string {
  return ctx.config.issuer + path
}
