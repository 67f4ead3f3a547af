import type { MockIdp } from '../mock-idp.js'
import type { Store } from '../store.js'

const stores = new WeakMap<MockIdp, Store>()

/** Remembers the store behind `idp`. The package never exports this module. */
export function registerStore(idp: MockIdp, store: Store): void {
  stores.set(idp, store)
}

/** The store behind `idp`, for tests that check its limits (sizes, sweeping). */
export function storeOf(idp: MockIdp): Store {
  const store = stores.get(idp)
  if (!store) throw new TypeError('storeOf: not an idp made by createMockIdp()')
  return store
}
