import { randomToken } from './internal/random.js'

/** An authorization code (AS-2): single-use, 60 s, bound to client, redirect URI and PKCE challenge. */
export interface CodeRecord {
  clientId: string
  redirectUri: string
  redirectUriSent: boolean
  sub: string
  scope: string[]
  nonce: string | undefined
  codeChallenge: string | undefined
  resource: string | undefined
  authTime: number
  sid: string
  maxAgeSent: boolean
  expiresAt: number
  used: boolean
  grantId: string
}

/**
 * An access token issued in a grant that can be revoked as a whole (code replay, refresh-token
 * reuse): the token itself is self-contained (RFC 9068), only its grant is kept, until it expires.
 */
export interface GrantTokenRecord {
  grantId: string
  expiresAt: number
}

/** An opaque refresh token; all tokens rotated from one grant share `grantId` (the family). */
export interface RefreshTokenRecord {
  clientId: string
  sub: string
  scope: string[]
  resource: string | undefined
  authTime: number
  sid: string | undefined
  grantId: string
  expiresAt: number
  idleExpiresAt: number
  used: boolean
  revoked: boolean
}

/** A device authorization (RFC 8628 §3.2). */
export interface DeviceRecord {
  deviceCode: string
  userCode: string
  clientId: string
  scope: string[]
  resource: string | undefined
  expiresAt: number
  interval: number
  lastPolledAt: number | undefined
  status: 'pending' | 'approved' | 'denied' | 'used'
  sub: string | undefined
  authTime: number | undefined
}

/** A browser session at the IdP (the `mock_idp_session` cookie). */
export interface SessionRecord {
  /** The public session id put in tokens as `sid`; the cookie value stays secret. */
  sid: string
  sub: string
  authTime: number
  expiresAt: number
}

/** A pending authorization request waiting for the login form. */
export interface AuthorizationTransaction {
  clientId: string
  redirectUri: string
  redirectUriSent: boolean
  scope: string[]
  state: string | undefined
  nonce: string | undefined
  codeChallenge: string | undefined
  resource: string | undefined
  maxAge: number | undefined
  loginHint: string | undefined
  responseMode: 'query'
  expiresAt: number
  failures: number
}

/** What survives a restart with `--data-dir`. */
export interface PersistedState {
  version: 2
  generation: string
  refreshTokens: [string, RefreshTokenRecord][]
  grantTokens: [string, GrantTokenRecord][]
  revokedAccessTokens: [string, number][]
  sessions: [string, SessionRecord][]
}

/** The first format, which kept a record of every access token. */
interface PersistedStateV1 {
  version: 1
  refreshTokens: [string, RefreshTokenRecord][]
  accessTokens: [string, { expiresAt: number; grantId: string | undefined; revoked: boolean }][]
  sessions: [string, SessionRecord][]
}

/** Every piece of server-side state, in memory. */
export class Store {
  /**
   * Starts every `jti`: `reset()` draws a new one, so every access token issued before it is
   * forgotten without a record of each having been kept.
   */
  generation = newGeneration()
  codes = new Map<string, CodeRecord>()
  /** Access tokens of user grants, by `jti`; client-credentials tokens keep no state. */
  grantTokens = new Map<string, GrantTokenRecord>()
  /** Revoked access tokens, by `jti`, until they would have expired. */
  revokedAccessTokens = new Map<string, number>()
  refreshTokens = new Map<string, RefreshTokenRecord>()
  devices = new Map<string, DeviceRecord>()
  userCodes = new Map<string, string>()
  sessions = new Map<string, SessionRecord>()
  transactions = new Map<string, AuthorizationTransaction>()
  /** `private_key_jwt` assertion ids seen, until their `exp` (AS-6). */
  assertionIds = new Map<string, number>()
  /** Failed client authentications per client_id, for throttling (AS-6). */
  authFailures = new Map<string, { count: number; since: number }>()
  /** Failed user-code entries per browser (`browser:<cookie>`) and in all (`all`), for rate limiting (AS-12). */
  userCodeFailures = new Map<string, { count: number; since: number }>()
  #writes = 0

  /** Revokes every access and refresh token of a grant (code replay, refresh-token reuse). */
  revokeGrant(grantId: string): void {
    for (const record of this.refreshTokens.values()) {
      if (record.grantId === grantId) record.revoked = true
    }
    for (const [jti, record] of this.grantTokens) {
      if (record.grantId === grantId) this.revokeAccessToken(jti, record.expiresAt)
    }
  }

  /** Revokes one access token, remembered until it would have expired (RFC 7009). */
  revokeAccessToken(jti: string, expiresAt: number): void {
    this.revokedAccessTokens.set(jti, expiresAt)
  }

  /** Whether an access token, by its `jti`, was issued since the last reset and not revoked. */
  isAccessTokenLive(jti: string): boolean {
    return jti.startsWith(this.generation) && !this.revokedAccessTokens.has(jti)
  }

  /** Drops expired records now and then, so a long-running server does not grow without bound. */
  prune(now: number): void {
    if (++this.#writes % 256 !== 0) return
    const drop = <T>(map: Map<string, T>, expired: (value: T) => boolean) => {
      for (const [key, value] of map) if (expired(value)) map.delete(key)
    }
    drop(this.codes, (r) => r.expiresAt + 3600 < now)
    drop(this.grantTokens, (r) => r.expiresAt < now)
    drop(this.revokedAccessTokens, (exp) => exp < now)
    drop(this.refreshTokens, (r) => r.expiresAt < now || r.idleExpiresAt < now)
    drop(this.sessions, (r) => r.expiresAt < now)
    drop(this.transactions, (r) => r.expiresAt < now)
    drop(this.assertionIds, (exp) => exp < now)
    for (const [deviceCode, record] of this.devices) {
      if (record.expiresAt + 3600 < now) {
        this.devices.delete(deviceCode)
        this.userCodes.delete(record.userCode)
      }
    }
  }

  snapshot(): PersistedState {
    return {
      version: 2,
      generation: this.generation,
      refreshTokens: [...this.refreshTokens],
      grantTokens: [...this.grantTokens],
      revokedAccessTokens: [...this.revokedAccessTokens],
      sessions: [...this.sessions],
    }
  }

  restore(state: PersistedState | PersistedStateV1): void {
    if (state.version === 2) {
      this.generation = state.generation
      this.grantTokens = new Map(state.grantTokens)
      this.revokedAccessTokens = new Map(state.revokedAccessTokens)
    } else if (state.version === 1) {
      // Its access tokens' jti have no generation: they are forgotten, like after a reset.
      this.generation = newGeneration()
    } else {
      return
    }
    this.refreshTokens = new Map(state.refreshTokens)
    this.sessions = new Map(state.sessions)
  }

  clear(): void {
    this.generation = newGeneration()
    for (const map of [
      this.codes,
      this.grantTokens,
      this.revokedAccessTokens,
      this.refreshTokens,
      this.devices,
      this.userCodes,
      this.sessions,
      this.transactions,
      this.assertionIds,
      this.authFailures,
      this.userCodeFailures,
    ]) {
      map.clear()
    }
  }
}

/** 48 random bits, base64url: a prefix no earlier generation's `jti` shares by chance. */
function newGeneration(): string {
  return `${randomToken(6)}.`
}
