import type { MockIdp } from '../mock-idp.js'
import type { Store } from '../store.js'

const stores = new WeakMap<MockIdp, Store>()

/** A store's maps and counters by name. */
export type StoreInternals = ReturnType<Store['internals']>

/** Remembers the store behind `idp`. The package never exports this module. */
export function registerStore(idp: MockIdp, store: Store): void {
  stores.set(idp, store)
}

/** The maps of the store behind `idp`, for tests that check its limits (sizes, sweeping). */
export function storeOf(idp: MockIdp): StoreInternals {
  const store = stores.get(idp)
  if (!store) throw new TypeError('storeOf: not an idp made by createMockIdp()')
  return store.internals()
}
