import type { KeyValueStorage, TokenStorageKind } from '../browser-auth-options.js'

/** A storage that lives and dies with this page. */
export function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>()
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

/** `sessionStorage` / `localStorage` when the page has them (reading them can throw). */
export function webStorage(kind: 'session' | 'local'): KeyValueStorage | undefined {
  try {
    const storage = kind === 'session' ? globalThis.sessionStorage : globalThis.localStorage
    return storage ?? undefined
  } catch {
    return undefined
  }
}

export function resolveTokenStorage(
  option: TokenStorageKind | KeyValueStorage | undefined,
): KeyValueStorage | undefined {
  if (option === undefined || option === 'memory') return undefined
  if (option === 'session' || option === 'local') return webStorage(option) ?? memoryStorage()
  return option
}

/** Reads a key, treating a throwing storage as empty. */
export function safeGet(storage: KeyValueStorage | undefined, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null
  } catch {
    return null
  }
}

/** Writes a key; a throwing storage (quota, privacy mode) is reported as `false`, never thrown. */
export function safeSet(storage: KeyValueStorage | undefined, key: string, value: string): boolean {
  try {
    storage?.setItem(key, value)
    return true
  } catch {
    return false
  }
}

export function safeRemove(storage: KeyValueStorage | undefined, key: string): void {
  try {
    storage?.removeItem(key)
  } catch {
    // Nothing to lose: the entry is unreadable either way.
  }
}
