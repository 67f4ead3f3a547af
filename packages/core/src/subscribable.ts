/**
 * A tiny observable value: `get()`, `set()`, and `subscribe()` returning an unsubscribe. The
 * shape React's `useSyncExternalStore` expects.
 *
 * @see https://react.dev/reference/react/useSyncExternalStore
 * @example
 * ```ts
 * import { Subscribable } from '@oidckit/core'
 *
 * const session = new Subscribable<{ user?: string }>({})
 * const unsubscribe = session.subscribe((value) => console.log(value.user))
 * session.set({ user: 'alice' })
 * unsubscribe()
 * ```
 */
export class Subscribable<T> {
  #value: T
  readonly #listeners = new Set<(value: T) => void>()

  constructor(initial: T) {
    this.#value = initial
  }

  /** The current value. */
  get(): T {
    return this.#value
  }

  /**
   * Replaces the value and notifies listeners, unless it is the same (`Object.is`). A throwing
   * listener does not stop the others; its error is rethrown after all were called.
   */
  set(value: T): void {
    if (Object.is(value, this.#value)) return
    this.#value = value
    const errors: unknown[] = []
    for (const listener of [...this.#listeners]) {
      try {
        listener(value)
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, 'Several subscribers failed.')
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: (value: T) => void): () => void {
    const entry = (value: T) => listener(value)
    this.#listeners.add(entry)
    return () => {
      this.#listeners.delete(entry)
    }
  }
}
