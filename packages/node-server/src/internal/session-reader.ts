import { createHash } from 'node:crypto'
import { OAuthError, TokenSet } from '@oidckit/core'
import type { Client, IdTokenClaims } from '@oidckit/core'
import type { RevokedSessions } from '../revoked-sessions.js'
import type { WebSession } from '../web-auth.js'
import { parseCookies } from './cookies.js'
import { storeUnavailable } from './session-backend.js'
import type { Loaded, SessionBackend, SessionState } from './session-backend.js'

/** ID token claims about the token, not the user. */
export const TOKEN_CLAIMS = ['exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 's_hash', 'jti']
/** Claims UserInfo may not override: they are the ID token's, checked at login. */
const PROTECTED_CLAIMS = new Set(['iss', 'sub', 'aud', 'azp', 'sid', 'auth_time', ...TOKEN_CLAIMS])

export interface SessionReaderOptions<Claims extends object> {
  backend: SessionBackend
  client: () => Promise<Client<Claims>>
  /** Milliseconds since the epoch. */
  clock: () => number
  /** Seconds before expiry at which the access token is refreshed. */
  leeway: number
  revokedSessions: RevokedSessions | undefined
}

export interface Current<Claims extends object> {
  session: WebSession<Claims> | null
  state?: SessionState | undefined
  /** `Set-Cookie` lines the response must carry. */
  lines: string[]
}

/** Reads the session of a request: opened, checked against revocations, refreshed, renewed. */
export function sessionReader<Claims extends object>(options: SessionReaderOptions<Claims>) {
  const { backend, clock, leeway, revokedSessions } = options
  const now = () => Math.floor(clock() / 1000)
  const refreshing = new Map<string, Promise<TokenSet<Claims>>>()

  // RP-20: one refresh per refresh token in this process, so parallel requests share it.
  function refreshOnce(tokens: TokenSet<Claims>): Promise<TokenSet<Claims>> {
    const key = createHash('sha256').update(tokens.refreshToken!).digest('base64url')
    let pending = refreshing.get(key)
    if (!pending) {
      pending = options
        .client()
        .then((c) => c.refresh(tokens))
        .finally(() => setTimeout(() => refreshing.delete(key), 5_000).unref())
      refreshing.set(key, pending)
    }
    return pending
  }

  function toSession(tokens: TokenSet<Claims>, state: SessionState): WebSession<Claims> | null {
    const claims = tokens.claims()
    if (!claims) return null
    const extra = Object.entries(state.ui ?? {}).filter(([name]) => !PROTECTED_CLAIMS.has(name))
    return Object.freeze({
      user: { ...claims, ...Object.fromEntries(extra) } as IdTokenClaims & Claims,
      accessToken: tokens.accessToken,
      idToken: tokens.idToken,
      expiresAt: tokens.expiresAt,
      scope: tokens.scope,
      tokens,
    })
  }

  /** Whether a back-channel logout ended this session after it began. */
  async function revoked(state: SessionState, sub: string | undefined): Promise<boolean> {
    if (!revokedSessions) return false
    const keys = [state.sid && `sid:${state.sid}`, sub && `sub:${sub}`].filter(Boolean) as string[]
    try {
      const times = await Promise.all(keys.map((key) => revokedSessions.revokedAt(key)))
      return times.some((at) => typeof at === 'number' && state.lat <= at)
    } catch (err) {
      throw storeUnavailable(err)
    }
  }

  /** The request's session; rejects with a NetworkError when the store is unreachable. */
  async function current(request: Request): Promise<Current<Claims>> {
    const cookies = parseCookies(request.headers.get('cookie'))
    const loaded: Loaded = await backend.load(cookies, now())
    const ended = async (): Promise<Current<Claims>> => ({
      session: null,
      lines: loaded.present ? await backend.destroy(loaded, cookies) : [],
    })
    let state = loaded.state
    let tokens: TokenSet<Claims> | undefined
    try {
      tokens = state ? TokenSet.fromJSON<Claims>(state.tokens, { clock }) : undefined
    } catch {
      tokens = undefined
    }
    if (!state || !tokens) return ended()
    if (await revoked(state, state.sub ?? tokens.claims()?.sub)) return ended()
    let lines: string[] = []
    if (tokens.isExpired(leeway) && tokens.refreshToken) {
      let next: TokenSet<Claims> | undefined
      try {
        next = await refreshOnce(tokens)
      } catch (err) {
        if (err instanceof OAuthError && err.error === 'invalid_grant') return ended()
      }
      if (next) {
        tokens = next
        state = { ...state, tokens: next.toJSON() }
        lines = await backend.update(loaded, state, cookies, now())
      }
    }
    if (tokens.isExpired()) return { session: null, lines }
    await backend.renew(loaded, now())
    return { session: toSession(tokens, state), state, lines }
  }

  return { current }
}
