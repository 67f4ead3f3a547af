import type { KeyValueStorage } from '../browser-auth-options.js'
import { argumentError, invalidCallback } from './errors.js'
import { safeGet, safeRemove } from './storage.js'

/** What a login needs back at the callback, bound to one issuer, client and redirect URI (RP-9). */
export interface Transaction {
  issuer: string
  clientId: string
  redirectUri: string
  codeVerifier: string
  nonce: string
  returnTo: string
  popup?: boolean
  createdAt: number
}

const prefix = 'oidckit.tx.'
// A login left unfinished longer than this is abandoned; its entry is swept at the next login.
const maxAgeMs = 30 * 60 * 1000

export function saveTransaction(storage: KeyValueStorage, state: string, tx: Transaction): void {
  try {
    storage.setItem(prefix + state, JSON.stringify(tx))
  } catch (err) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      'sessionStorage cannot hold the login transaction.',
      err,
    )
  }
}

/** Reads and removes the transaction for `state`: it is used at most once (C-14). */
export function takeTransaction(
  storage: KeyValueStorage,
  state: string,
  expected: Pick<Transaction, 'issuer' | 'clientId' | 'redirectUri'>,
): Transaction {
  const raw = safeGet(storage, prefix + state)
  safeRemove(storage, prefix + state)
  if (raw === null)
    throw invalidCallback('The state is unknown or was already used: start a new login.')
  let tx: Transaction | null = null
  try {
    tx = JSON.parse(raw) as Transaction
  } catch {
    // Refused below.
  }
  if (typeof tx?.codeVerifier !== 'string' || typeof tx.nonce !== 'string') {
    throw invalidCallback('The stored login is unreadable: start a new login.')
  }
  // RP-9: a transaction started for another provider, client or redirect URI fails closed.
  for (const key of ['issuer', 'clientId', 'redirectUri'] as const) {
    if (tx[key] !== expected[key]) {
      throw invalidCallback(
        `The login was started for another ${key}.`,
        key === 'issuer' ? 'iss' : key,
      )
    }
  }
  return tx
}

/** Removes transactions older than half an hour. */
export function sweepTransactions(storage: KeyValueStorage, now: number): void {
  try {
    const keys: string[] = []
    const s = storage as KeyValueStorage & { length?: number; key?(i: number): string | null }
    if (typeof s.length !== 'number' || typeof s.key !== 'function') return
    for (let i = 0; i < s.length; i++) {
      const key = s.key(i)
      if (key?.startsWith(prefix)) keys.push(key)
    }
    for (const key of keys) {
      const tx = JSON.parse(storage.getItem(key) ?? 'null') as Transaction | null
      if (!tx || !(now - tx.createdAt < maxAgeMs)) storage.removeItem(key)
    }
  } catch {
    // Sweeping is housekeeping; a storage that refuses it loses nothing.
  }
}
