import type { MockIdpStorage } from './config.js'
import type { KeyStore, PersistedKeys } from './keys.js'
import type { PersistedState } from './records.js'
import type { Store } from './store.js'

/**
 * Keeps keys and state in a {@link MockIdpStorage} (`--data-dir`): loads them once at start,
 * and saves after each change, one save at a time, changes made during a save coalescing into
 * the next. Without a storage it does nothing.
 */
export class Persistence {
  /** Settles once persisted keys and state are loaded (at once without a storage). */
  readonly ready: Promise<void>
  readonly #storage: MockIdpStorage | undefined
  readonly #keys: KeyStore
  readonly #store: Store
  #saving: Promise<void> = Promise.resolve()
  #saveQueued = false

  constructor(storage: MockIdpStorage | undefined, keys: KeyStore, store: Store) {
    this.#storage = storage
    this.#keys = keys
    this.#store = store
    this.ready = storage ? this.#load(storage) : Promise.resolve()
  }

  /** Schedules a save of keys and state; a no-op while one is already waiting to start. */
  save(): void {
    const storage = this.#storage
    if (!storage || this.#saveQueued) return
    this.#saveQueued = true
    this.#saving = this.#saving.then(async () => {
      this.#saveQueued = false
      try {
        await storage.save('keys.json', JSON.stringify(await this.#keys.export()))
        await storage.save('state.json', JSON.stringify(this.#store.snapshot()))
      } catch (err) {
        console.error(
          `mock-idp: could not save state: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    })
  }

  /** Resolves once the last scheduled save has finished. */
  saved(): Promise<void> {
    return this.#saving
  }

  async #load(storage: MockIdpStorage): Promise<void> {
    const keyText = await storage.load('keys.json')
    if (keyText) await this.#keys.import(JSON.parse(keyText) as PersistedKeys)
    const stateText = await storage.load('state.json')
    if (stateText) this.#store.restore(JSON.parse(stateText) as PersistedState)
  }
}
