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

/** An issued access token, so that revocation and introspection can find it by `jti`. */
export interface AccessTokenRecord {
  clientId: string
  sub: string
  scope: string[]
  aud: string
  expiresAt: number
  issuedAt: number
  grantId: string | undefined
  revoked: boolean
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
  version: 1
  refreshTokens: [string, RefreshTokenRecord][]
  accessTokens: [string, AccessTokenRecord][]
  sessions: [string, SessionRecord][]
}

/** Every piece of server-side state, in memory. */
export class Store {
  codes = new Map<string, CodeRecord>()
  accessTokens = new Map<string, AccessTokenRecord>()
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
    for (const record of this.accessTokens.values()) {
      if (record.grantId === grantId) record.revoked = true
    }
  }

  /** Drops expired records now and then, so a long-running server does not grow without bound. */
  prune(now: number): void {
    if (++this.#writes % 256 !== 0) return
    const drop = <T>(map: Map<string, T>, expired: (value: T) => boolean) => {
      for (const [key, value] of map) if (expired(value)) map.delete(key)
    }
    drop(this.codes, (r) => r.expiresAt + 3600 < now)
    drop(this.accessTokens, (r) => r.expiresAt < now)
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
      version: 1,
      refreshTokens: [...this.refreshTokens],
      accessTokens: [...this.accessTokens],
      sessions: [...this.sessions],
    }
  }

  restore(state: PersistedState): void {
    if (state.version !== 1) return
    this.refreshTokens = new Map(state.refreshTokens)
    this.accessTokens = new Map(state.accessTokens)
    this.sessions = new Map(state.sessions)
  }

  clear(): void {
    for (const map of [
      this.codes,
      this.accessTokens,
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
