import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { NetworkError, OidcKitError } from '@oidckit/core'
import type { TokenSetJSON } from '@oidckit/core'
import type { SessionStore } from '../session-store.js'
import type { SessionCookie } from './session-cookie.js'

/** What a session keeps, in the sealed cookie or in the store. Times are seconds. */
export interface SessionState {
  tokens: TokenSetJSON
  /** The absolute end of the session, refreshes and renewals included. */
  sexp: number
  /** When the user logged in; a revocation at or after it ends the session. */
  lat: number
  sub?: string | undefined
  sid?: string | undefined
  /** UserInfo claims fetched at login. */
  ui?: Record<string, unknown> | undefined
  /** Store mode: when the idle expiry was last pushed back. */
  ren?: number | undefined
  [field: string]: unknown
}

export interface Loaded {
  /** The session, when the cookie opened and (in store mode) the store still holds it. */
  state: SessionState | undefined
  /** Whether the request carried a session cookie at all. */
  present: boolean
  /** Store mode: the verified session id. */
  id?: string | undefined
}

/** How sessions are kept: in the cookie itself, or in a store with an id in the cookie. */
export interface SessionBackend {
  load(cookies: Map<string, string>, now: number): Promise<Loaded>
  /** A new session at login: a new id (RP-12), and the one the request carried is ended. */
  create(state: SessionState, cookies: Map<string, string>, now: number): Promise<string[]>
  /** The same session with new tokens. */
  update(
    loaded: Loaded,
    state: SessionState,
    cookies: Map<string, string>,
    now: number,
  ): Promise<string[]>
  /** Store mode: pushes the idle expiry back, at most once a minute. */
  renew(loaded: Loaded, now: number): Promise<void>
  destroy(loaded: Loaded, cookies: Map<string, string>): Promise<string[]>
  /** When the session ends unless it is used again (seconds). */
  expiresAt(state: SessionState): number
}

function parseState(value: unknown): SessionState | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const state = value as SessionState
  if (typeof state.tokens !== 'object' || state.tokens === null) return undefined
  if (typeof state.sexp !== 'number') return undefined
  return { ...state, lat: typeof state.lat === 'number' ? state.lat : 0 }
}

/** The default: the whole session sealed in the (chunked) cookie. */
export function cookieBackend(cookie: SessionCookie): SessionBackend {
  return {
    async load(cookies, now) {
      const present = cookie.raw(cookies) !== undefined
      return { state: present ? parseState(await cookie.read(cookies, now)) : undefined, present }
    },
    create: (state, cookies, now) => cookie.write(state, state.sexp, now, cookies),
    update: (_loaded, state, cookies, now) => cookie.write(state, state.sexp, now, cookies),
    renew: async () => undefined,
    destroy: async (_loaded, cookies) => cookie.clear(cookies),
    expiresAt: (state) => state.sexp,
  }
}

/** A store failure, as the typed error every caller sees; the session is never guessed at. */
export function storeUnavailable(err: unknown): OidcKitError {
  if (err instanceof OidcKitError) return err
  return new NetworkError('ERR_CONNECTION_FAILED', 'The session store is unavailable.', {
    cause: err,
  })
}

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (err) {
    throw storeUnavailable(err)
  }
}

export interface StoreBackendOptions {
  store: SessionStore
  cookie: SessionCookie
  secrets: readonly string[]
  /** Seconds a session lives without a request. */
  idleTtl: number
}

const ID = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/

/**
 * Sessions in a {@link SessionStore}. The cookie holds `<id>.<mac>`: 256 random bits and their
 * HMAC-SHA256 under a key derived from the secret, so a forged or guessed id is refused before
 * the store is asked, and a copy of the store alone yields no usable cookie.
 */
export function storeBackend(options: StoreBackendOptions): SessionBackend {
  const { store, cookie, idleTtl } = options
  const keys = options.secrets.map(
    (secret) =>
      new Uint8Array(hkdfSync('sha256', secret, 'oidckit', 'oidckit session id HMAC', 32)),
  )
  const mac = (id: string, key: Uint8Array) => createHmac('sha256', key).update(id).digest()
  const ttl = (state: SessionState, now: number) => Math.max(1, Math.min(idleTtl, state.sexp - now))
  const renewEvery = Math.min(60, idleTtl / 2)

  function verifiedId(value: string | undefined): string | undefined {
    if (!value || !ID.test(value)) return undefined
    const [id, tag] = value.split('.') as [string, string]
    const given = Buffer.from(tag, 'base64url')
    return keys.some((key) => timingSafeEqual(mac(id, key), given)) ? id : undefined
  }

  const write = (id: string, state: SessionState, now: number, onlyIfExists: boolean) =>
    guarded(() =>
      store.set(
        id,
        { ...state, sub: state.sub ?? '', ren: now },
        { ttl: ttl(state, now), onlyIfExists },
      ),
    )

  return {
    async load(cookies, now) {
      const raw = cookie.raw(cookies)
      const id = verifiedId(raw)
      if (!id) return { state: undefined, present: raw !== undefined }
      const state = parseState(await guarded(() => store.get(id)))
      if (!state || state.sexp <= now) return { state: undefined, present: true, id }
      return { state, present: true, id }
    },
    async create(state, cookies, now) {
      const previous = verifiedId(cookie.raw(cookies))
      if (previous) await guarded(() => store.destroy(previous))
      const id = randomBytes(32).toString('base64url')
      await write(id, state, now, false)
      const value = `${id}.${mac(id, keys[0]!).toString('base64url')}`
      return cookie.writeRaw(value, state.sexp - now, cookies)
    },
    async update(loaded, state, _cookies, now) {
      if (loaded.id) await write(loaded.id, state, now, true)
      return []
    },
    async renew(loaded, now) {
      const { id, state } = loaded
      if (id && state && now - (state.ren ?? state.lat) >= renewEvery)
        await write(id, state, now, true)
    },
    async destroy(loaded, cookies) {
      if (loaded.id) await guarded(() => store.destroy(loaded.id!))
      return cookie.clear(cookies)
    },
    expiresAt: (state) => Math.min(state.sexp, (state.ren ?? state.lat) + idleTtl),
  }
}
