import type { MockIdpClock } from './clock.js'
import { BoundedMap } from './internal/bounded-map.js'
import { FailureCounter } from './internal/failure-counter.js'
import { normalizeUserCode, randomToken, randomUserCode } from './internal/random.js'
import type {
  AuthorizationTransaction,
  CodeRecord,
  DashboardLogin,
  DeviceRecord,
  GrantTokenRecord,
  PersistedState,
  PersistedStateV1,
  RefreshTokenRecord,
  SessionRecord,
} from './records.js'

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

/**
 * Every piece of server-side state, in memory, each map bounded ({@link STORE_LIMITS}) and
 * private: each method keeps its own bookkeeping (expiry on the idp clock, the sweep of expired
 * records, related entries) and calls {@link Store.onChange} after changing what `--data-dir`
 * keeps (refresh tokens, grant and revoked access tokens, sessions).
 */
export class Store {
  /** Called after a change that persistence saves; set by `createMockIdp()`. */
  onChange: () => void = () => {}
  /**
   * Starts every `jti`: `clear()` draws a new one, so every access token issued before it is
   * forgotten without a record of each having been kept.
   */
  #generation = newGeneration()
  readonly #clock: MockIdpClock
  /** Kept an hour past expiry, so a late replay still revokes what the code issued (S-11). */
  readonly #codes = new BoundedMap<CodeRecord>({
    ...STORE_LIMITS.codes,
    expiresAt: (r) => r.expiresAt + 3600,
  })
  /** Access tokens of user grants, by `jti`; client-credentials tokens keep no state. */
  readonly #grantTokens = new BoundedMap<GrantTokenRecord>({
    ...STORE_LIMITS.grantTokens,
    expiresAt: (r) => r.expiresAt,
  })
  /** Revoked access tokens, by `jti`, until they would have expired. */
  readonly #revokedAccessTokens = new BoundedMap<number>({
    ...STORE_LIMITS.revokedAccessTokens,
    expiresAt: (exp) => exp,
  })
  readonly #refreshTokens = new BoundedMap<RefreshTokenRecord>({
    ...STORE_LIMITS.refreshTokens,
    expiresAt: (r) => Math.min(r.expiresAt, r.idleExpiresAt),
  })
  /** Device authorizations, kept an hour past expiry; dropping one drops its user code too. */
  readonly #devices = new BoundedMap<DeviceRecord>({
    ...STORE_LIMITS.devices,
    expiresAt: (r) => r.expiresAt + 3600,
    onDrop: (_deviceCode, record) => this.#userCodes.delete(record.userCode),
  })
  /** User code to device code; an entry lives exactly as long as its device authorization. */
  readonly #userCodes = new BoundedMap<string>(STORE_LIMITS.devices)
  readonly #sessions = new BoundedMap<SessionRecord>({
    ...STORE_LIMITS.sessions,
    expiresAt: (r) => r.expiresAt,
  })
  readonly #transactions = new BoundedMap<AuthorizationTransaction>({
    ...STORE_LIMITS.transactions,
    expiresAt: (r) => r.expiresAt,
  })
  /** Logins started from the dashboard, single-use, for 10 minutes. */
  readonly #dashboardLogins = new BoundedMap<DashboardLogin>({
    ...STORE_LIMITS.dashboardLogins,
    expiresAt: (r) => r.expiresAt,
  })
  /** `private_key_jwt` assertion ids seen, until their `exp` (AS-6). */
  readonly #assertionIds = new BoundedMap<number>({
    ...STORE_LIMITS.assertionIds,
    expiresAt: (exp) => exp,
  })
  /** Failed authentications of registered confidential clients, by client_id (AS-6). */
  readonly clientAuthFailures = new FailureCounter(STORE_LIMITS.clientAuthFailures)
  /** Wrong user codes per browser, by a hash of its CSRF cookie (AS-12). */
  readonly userCodeFailures = new FailureCounter(STORE_LIMITS.userCodeFailures)
  /** Wrong user codes from all browsers together (AS-12); one entry. */
  readonly allUserCodeFailures = new FailureCounter({ max: 1, maxBytes: 1024 })
  /** Wrong passwords per known username, by a hash of it, on every login form. */
  readonly passwordFailures = new FailureCounter(STORE_LIMITS.passwordFailures)
  /** Wrong passwords per unknown username, apart, so junk names never crowd out a user's count. */
  readonly unknownUserFailures = new FailureCounter(STORE_LIMITS.unknownUserFailures)
  #writes = 0

  constructor(clock: MockIdpClock) {
    this.#clock = clock
  }

  // Authorization codes

  /** Stores a code (AS-2) and returns it: 256 random bits. */
  saveCode(record: CodeRecord): string {
    const code = randomToken(32)
    this.#codes.set(code, record)
    this.#wrote()
    return code
  }

  /**
   * Redeems a code: its record, now marked used (expired or not: the caller judges that), or
   * `'replayed'` for a code already used, whose grant this revokes (RFC 6749 §4.1.2, S-11).
   */
  takeCode(code: string): CodeRecord | 'replayed' | undefined {
    const record = this.#codes.get(code)
    if (!record) return undefined
    if (record.used) {
      this.revokeGrant(record.grantId)
      return 'replayed'
    }
    record.used = true
    return record
  }

  // Tokens

  /** A fresh `jti` of this generation (see {@link Store.isAccessTokenLive}). */
  newJti(): string {
    return this.#generation + randomToken(16)
  }

  /** Remembers an access token of a user grant, so that revoking the grant revokes it. */
  saveGrantToken(jti: string, grantId: string, expiresAt: number): void {
    this.#grantTokens.set(jti, { grantId, expiresAt })
    this.#wrote()
    this.onChange()
  }

  /** Stores a refresh token and returns it: 256 random bits. */
  saveRefreshToken(record: RefreshTokenRecord): string {
    const token = randomToken(32)
    this.#refreshTokens.set(token, record)
    this.onChange()
    return token
  }

  findRefreshToken(token: string): RefreshTokenRecord | undefined {
    return this.#refreshTokens.get(token)
  }

  /** Rotates a refresh token out: presenting it again revokes its family (S-6). */
  markRefreshTokenUsed(record: RefreshTokenRecord): void {
    record.used = true
    this.onChange()
  }

  /** Revokes every access and refresh token of a grant (code replay, refresh-token reuse). */
  revokeGrant(grantId: string): void {
    for (const record of this.#refreshTokens.values()) {
      if (record.grantId === grantId) record.revoked = true
    }
    for (const [jti, record] of this.#grantTokens) {
      if (record.grantId === grantId) this.#revokedAccessTokens.set(jti, record.expiresAt)
    }
    this.onChange()
  }

  /** Revokes one access token, remembered until it would have expired (RFC 7009). */
  revokeAccessToken(jti: string, expiresAt: number): void {
    this.#revokedAccessTokens.set(jti, expiresAt)
    this.onChange()
  }

  /** Whether an access token, by its `jti`, was issued since the last clear and not revoked. */
  isAccessTokenLive(jti: string): boolean {
    return jti.startsWith(this.#generation) && !this.#revokedAccessTokens.has(jti)
  }

  /** Records a `private_key_jwt` assertion id until `expiresAt`; false if it was seen (AS-6). */
  useAssertionId(key: string, expiresAt: number): boolean {
    if (this.#assertionIds.has(key)) return false
    this.#assertionIds.set(key, expiresAt)
    return true
  }

  // Sessions

  /** Stores a session under a fresh random id (the cookie value) and returns the id. */
  saveSession(session: SessionRecord): string {
    const id = randomToken(32)
    this.#sessions.set(id, session)
    this.onChange()
    return id
  }

  /** The live session behind a cookie value; an expired one is dropped. */
  findSession(id: string): SessionRecord | undefined {
    const session = this.#sessions.get(id)
    if (!session) return undefined
    if (session.expiresAt <= this.#clock.now()) {
      this.#sessions.delete(id)
      return undefined
    }
    return session
  }

  /** Notes that a session signed in to a client, told by back-channel logout when it ends. */
  addSessionClient(session: SessionRecord, clientId: string): void {
    if (session.clients?.includes(clientId)) return
    session.clients = [...(session.clients ?? []), clientId]
    this.onChange()
  }

  endSession(id: string): void {
    this.#sessions.delete(id)
    this.onChange()
  }

  /** Ends every session of `sub`; returns those that had not expired yet. */
  endSessionsOf(sub: string): SessionRecord[] {
    const now = this.#clock.now()
    const ended: SessionRecord[] = []
    for (const [id, session] of this.#sessions) {
      if (session.sub !== sub) continue
      this.#sessions.delete(id)
      if (session.expiresAt > now) ended.push(session)
    }
    if (ended.length) this.onChange()
    return ended
  }

  /** Live sessions per `sub`, for the dashboard. */
  countSessions(): Map<string, number> {
    const now = this.#clock.now()
    const counts = new Map<string, number>()
    for (const session of this.#sessions.values()) {
      if (session.expiresAt > now) counts.set(session.sub, (counts.get(session.sub) ?? 0) + 1)
    }
    return counts
  }

  // Login forms

  /** Stores a pending authorization request and returns its id, the form's `tx`. */
  saveTransaction(tx: AuthorizationTransaction): string {
    const id = randomToken(32)
    this.#transactions.set(id, tx)
    return id
  }

  /** The live transaction behind a form's `tx`; an expired one is dropped. */
  findTransaction(id: string): AuthorizationTransaction | undefined {
    const tx = this.#transactions.get(id)
    if (!tx || tx.expiresAt <= this.#clock.now()) {
      this.#transactions.delete(id)
      return undefined
    }
    return tx
  }

  endTransaction(id: string): void {
    this.#transactions.delete(id)
  }

  saveDashboardLogin(state: string, login: DashboardLogin): void {
    this.#dashboardLogins.set(state, login)
  }

  /** The live dashboard login of `state`, which can be taken once. */
  takeDashboardLogin(state: string): DashboardLogin | undefined {
    const login = this.#dashboardLogins.get(state)
    this.#dashboardLogins.delete(state)
    if (!login || login.expiresAt <= this.#clock.now()) return undefined
    return login
  }

  // Device authorizations

  /** Stores a device authorization under a fresh device code and an unused user code. */
  saveDevice(fields: Omit<DeviceRecord, 'deviceCode' | 'userCode'>): DeviceRecord {
    let userCode = randomUserCode()
    while (this.#userCodes.has(userCode)) userCode = randomUserCode()
    const record: DeviceRecord = { deviceCode: randomToken(32), userCode, ...fields }
    this.#devices.set(record.deviceCode, record)
    this.#userCodes.set(userCode, record.deviceCode)
    this.#wrote()
    return record
  }

  /** The device authorization a client polls with, in any state. */
  findDevice(deviceCode: string): DeviceRecord | undefined {
    return this.#devices.get(deviceCode)
  }

  /** The pending device authorization behind a user code as typed (any case, dashes ignored). */
  findPendingDevice(userCode: string): DeviceRecord | undefined {
    const deviceCode = this.#userCodes.get(normalizeUserCode(userCode))
    const record = deviceCode === undefined ? undefined : this.#devices.get(deviceCode)
    if (!record || record.status !== 'pending' || record.expiresAt <= this.#clock.now()) {
      return undefined
    }
    return record
  }

  /** Every pending device authorization not yet expired, for the dashboard. */
  pendingDevices(): DeviceRecord[] {
    const now = this.#clock.now()
    return [...this.#devices.values()].filter((d) => d.status === 'pending' && d.expiresAt > now)
  }

  /** Approves a pending device authorization for `sub`; false when the code is unknown or spent. */
  approveDevice(userCode: string, sub: string, authTime: number): boolean {
    const record = this.findPendingDevice(userCode)
    if (!record) return false
    record.status = 'approved'
    record.sub = sub
    record.authTime = authTime
    return true
  }

  /** Denies a pending device authorization; the next poll answers `access_denied`. */
  denyDevice(userCode: string): boolean {
    const record = this.findPendingDevice(userCode)
    if (!record) return false
    record.status = 'denied'
    return true
  }

  // Lifetime

  /** Drops every expired record now. */
  sweep(): void {
    const now = this.#clock.now()
    for (const map of Object.values(this.#bounded())) map.prune(now)
  }

  /**
   * Sweeps every {@link SWEEP_INTERVAL_MS} until the returned function is called. The timer is
   * unref'd: it never keeps a process alive.
   */
  startSweeping(): () => void {
    const timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS)
    ;(timer as { unref?: () => void }).unref?.()
    return () => clearInterval(timer)
  }

  snapshot(): PersistedState {
    return {
      version: 2,
      generation: this.#generation,
      refreshTokens: [...this.#refreshTokens],
      grantTokens: [...this.#grantTokens],
      revokedAccessTokens: [...this.#revokedAccessTokens],
      sessions: [...this.#sessions],
    }
  }

  restore(state: PersistedState | PersistedStateV1): void {
    if (state.version === 2) {
      this.#generation = state.generation
      load(this.#grantTokens, state.grantTokens)
      load(this.#revokedAccessTokens, state.revokedAccessTokens)
    } else if (state.version === 1) {
      // Its access tokens' jti have no generation: they are forgotten, like after a reset.
      this.#generation = newGeneration()
    } else {
      return
    }
    load(this.#refreshTokens, state.refreshTokens)
    load(this.#sessions, state.sessions)
  }

  /** Forgets everything, access tokens issued so far included. */
  clear(): void {
    this.#generation = newGeneration()
    for (const map of Object.values(this.#bounded())) map.clear()
    this.onChange()
  }

  /**
   * The maps and counters by name, for tests of their limits (through `internal/inspect.ts`,
   * which the package never exports).
   */
  internals() {
    return { ...this.#maps(), ...this.#counters(), bounded: () => this.#bounded() }
  }

  #maps() {
    return {
      codes: this.#codes,
      grantTokens: this.#grantTokens,
      revokedAccessTokens: this.#revokedAccessTokens,
      refreshTokens: this.#refreshTokens,
      devices: this.#devices,
      userCodes: this.#userCodes,
      sessions: this.#sessions,
      transactions: this.#transactions,
      assertionIds: this.#assertionIds,
      dashboardLogins: this.#dashboardLogins,
    }
  }

  #counters() {
    return {
      clientAuthFailures: this.clientAuthFailures,
      userCodeFailures: this.userCodeFailures,
      allUserCodeFailures: this.allUserCodeFailures,
      passwordFailures: this.passwordFailures,
      unknownUserFailures: this.unknownUserFailures,
    }
  }

  /** Every bounded map, by name, for {@link Store.sweep} and {@link Store.clear}. */
  #bounded(): Record<string, BoundedMap<unknown>> {
    const all = { ...this.#maps() } as Record<string, BoundedMap<unknown>>
    for (const [name, counter] of Object.entries(this.#counters()))
      all[name] = counter.windows as BoundedMap<unknown>
    return all
  }

  /** Sweeps every 256th write, so in-process use without a timer stays lean too. */
  #wrote(): void {
    if (++this.#writes % 256 === 0) this.sweep()
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
