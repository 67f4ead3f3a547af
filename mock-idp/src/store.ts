import { BoundedMap } from './internal/bounded-map.js'
import { FailureCounter } from './internal/failure-counter.js'
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
  /** The clients this session signed in to, told by back-channel logout when it ends. */
  clients?: string[]
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

/** A login the dashboard started ("try a login"), waiting for its code, by `state`. */
export interface DashboardLogin {
  clientId: string
  redirectUri: string
  codeVerifier: string
  nonce: string
  expiresAt: number
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

const MiB = 1024 * 1024

/**
 * The ceiling of every map a request can grow (entries, approximate bytes). Past either, the
 * oldest entries go first; {@link Store.sweep} drops expired ones on a timer. The README's
 * "Limits" section lists them.
 */
export const STORE_LIMITS = {
  // Anyone can add these: a login page, a device code (the CLI client is public), a
  // wrong user code, a wrong password for a username that does not exist.
  transactions: { max: 1_000, maxBytes: 4 * MiB },
  devices: { max: 1_000, maxBytes: 4 * MiB },
  userCodeFailures: { max: 1_000, maxBytes: 1 * MiB },
  unknownUserFailures: { max: 1_000, maxBytes: 1 * MiB },
  // These take a password or a client's credentials (or the library API) to grow.
  codes: { max: 10_000, maxBytes: 8 * MiB },
  sessions: { max: 10_000, maxBytes: 4 * MiB },
  grantTokens: { max: 50_000, maxBytes: 8 * MiB },
  revokedAccessTokens: { max: 50_000, maxBytes: 8 * MiB },
  refreshTokens: { max: 50_000, maxBytes: 16 * MiB },
  assertionIds: { max: 10_000, maxBytes: 4 * MiB },
  // Keyed by registered client_id, or known username, only.
  clientAuthFailures: { max: 10_000, maxBytes: 2 * MiB },
  passwordFailures: { max: 10_000, maxBytes: 2 * MiB },
  // Only a dashboard user (loopback, or the admin token) starts these.
  dashboardLogins: { max: 100, maxBytes: 1 * MiB },
} as const

/** How often a listening server drops expired records (real milliseconds; expiry is by the idp clock). */
export const SWEEP_INTERVAL_MS = 60_000

/** Every piece of server-side state, in memory, each map bounded ({@link STORE_LIMITS}). */
export class Store {
  /**
   * Starts every `jti`: `reset()` draws a new one, so every access token issued before it is
   * forgotten without a record of each having been kept.
   */
  generation = newGeneration()
  /** Kept an hour past expiry, so a late replay still revokes what the code issued (S-11). */
  codes = new BoundedMap<CodeRecord>({
    ...STORE_LIMITS.codes,
    expiresAt: (r) => r.expiresAt + 3600,
  })
  /** Access tokens of user grants, by `jti`; client-credentials tokens keep no state. */
  grantTokens = new BoundedMap<GrantTokenRecord>({
    ...STORE_LIMITS.grantTokens,
    expiresAt: (r) => r.expiresAt,
  })
  /** Revoked access tokens, by `jti`, until they would have expired. */
  revokedAccessTokens = new BoundedMap<number>({
    ...STORE_LIMITS.revokedAccessTokens,
    expiresAt: (exp) => exp,
  })
  refreshTokens = new BoundedMap<RefreshTokenRecord>({
    ...STORE_LIMITS.refreshTokens,
    expiresAt: (r) => Math.min(r.expiresAt, r.idleExpiresAt),
  })
  /** Device authorizations, kept an hour past expiry; dropping one drops its user code too. */
  devices = new BoundedMap<DeviceRecord>({
    ...STORE_LIMITS.devices,
    expiresAt: (r) => r.expiresAt + 3600,
    onDrop: (_deviceCode, record) => this.userCodes.delete(record.userCode),
  })
  /** User code to device code; an entry lives exactly as long as its device authorization. */
  userCodes = new BoundedMap<string>(STORE_LIMITS.devices)
  sessions = new BoundedMap<SessionRecord>({
    ...STORE_LIMITS.sessions,
    expiresAt: (r) => r.expiresAt,
  })
  transactions = new BoundedMap<AuthorizationTransaction>({
    ...STORE_LIMITS.transactions,
    expiresAt: (r) => r.expiresAt,
  })
  /** Logins started from the dashboard, single-use, for 10 minutes. */
  dashboardLogins = new BoundedMap<DashboardLogin>({
    ...STORE_LIMITS.dashboardLogins,
    expiresAt: (r) => r.expiresAt,
  })
  /** `private_key_jwt` assertion ids seen, until their `exp` (AS-6). */
  assertionIds = new BoundedMap<number>({ ...STORE_LIMITS.assertionIds, expiresAt: (exp) => exp })
  /** Failed authentications of registered confidential clients, by client_id (AS-6). */
  clientAuthFailures = new FailureCounter(STORE_LIMITS.clientAuthFailures)
  /** Wrong user codes per browser, by a hash of its CSRF cookie (AS-12). */
  userCodeFailures = new FailureCounter(STORE_LIMITS.userCodeFailures)
  /** Wrong user codes from all browsers together (AS-12); one entry. */
  allUserCodeFailures = new FailureCounter({ max: 1, maxBytes: 1024 })
  /** Wrong passwords per known username, by a hash of it, on every login form. */
  passwordFailures = new FailureCounter(STORE_LIMITS.passwordFailures)
  /** Wrong passwords per unknown username, apart, so junk names never crowd out a user's count. */
  unknownUserFailures = new FailureCounter(STORE_LIMITS.unknownUserFailures)
  #writes = 0

  /** Every bounded map, by name, for {@link Store.sweep} and {@link Store.clear}. */
  bounded(): Record<string, BoundedMap<unknown>> {
    return {
      codes: this.codes,
      grantTokens: this.grantTokens,
      revokedAccessTokens: this.revokedAccessTokens,
      refreshTokens: this.refreshTokens,
      devices: this.devices,
      userCodes: this.userCodes,
      sessions: this.sessions,
      transactions: this.transactions,
      assertionIds: this.assertionIds,
      dashboardLogins: this.dashboardLogins,
      clientAuthFailures: this.clientAuthFailures.windows,
      userCodeFailures: this.userCodeFailures.windows,
      allUserCodeFailures: this.allUserCodeFailures.windows,
      passwordFailures: this.passwordFailures.windows,
      unknownUserFailures: this.unknownUserFailures.windows,
    } as Record<string, BoundedMap<unknown>>
  }

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

  /** Drops expired records every 256th write, so in-process use without a timer stays lean too. */
  prune(now: number): void {
    if (++this.#writes % 256 === 0) this.sweep(now)
  }

  /** Drops every expired record now (`now`: epoch seconds on the idp clock). */
  sweep(now: number): void {
    for (const map of Object.values(this.bounded())) map.prune(now)
  }

  /**
   * Sweeps every {@link SWEEP_INTERVAL_MS} until the returned function is called. The timer is
   * unref'd: it never keeps a process alive.
   */
  startSweeping(now: () => number): () => void {
    const timer = setInterval(() => this.sweep(now()), SWEEP_INTERVAL_MS)
    ;(timer as { unref?: () => void }).unref?.()
    return () => clearInterval(timer)
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
      load(this.grantTokens, state.grantTokens)
      load(this.revokedAccessTokens, state.revokedAccessTokens)
    } else if (state.version === 1) {
      // Its access tokens' jti have no generation: they are forgotten, like after a reset.
      this.generation = newGeneration()
    } else {
      return
    }
    load(this.refreshTokens, state.refreshTokens)
    load(this.sessions, state.sessions)
  }

  clear(): void {
    this.generation = newGeneration()
    for (const map of Object.values(this.bounded())) map.clear()
  }
}

/** Replaces a map's entries with persisted ones (its limits apply as they load). */
function load<V>(map: BoundedMap<V>, entries: [string, V][]): void {
  map.clear()
  for (const [key, value] of entries) map.set(key, value)
}

/** 48 random bits, base64url: a prefix no earlier generation's `jti` shares by chance. */
function newGeneration(): string {
  return `${randomToken(6)}.`
}
