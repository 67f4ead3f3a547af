import type { JWK } from 'jose'
import type { BackchannelLogout } from './backchannel.js'
import type { MockIdpClock } from './clock.js'
import type { MockIdpUser } from './config.js'
import type { FaultQueue, MockIdpFault } from './faults.js'
import type { IdpContext } from './internal/context.js'
import { checkIssueOptions } from './internal/issue-options.js'
import { randomToken } from './internal/random.js'
import { parseScope } from './internal/scope.js'
import type { IssueTokensOptions } from './mock-idp.js'
import type { Persistence } from './persistence.js'
import type { LoggedRequest, RequestLog } from './request-log.js'
import { endSessionsOf, startApiSession } from './sessions.js'
import { issueTokens, type TokenResponseBody } from './tokens.js'
import type { UserPatch } from './users.js'

/** What the test controls act on besides the context. */
export interface ControlDeps {
  faults: FaultQueue
  log: RequestLog
  backchannel: BackchannelLogout
  persistence: Persistence
}

/** What `GET /_mock/state` shows: never a password. */
export interface ControlState {
  issuer: string
  now: number
  clients: string[]
  users: Omit<MockIdpUser, 'password'>[]
}

/**
 * The test controls of one mock-idp: the single implementation behind the methods of the
 * object `createMockIdp()` returns and behind the `/_mock/` control API.
 */
export class Controls {
  readonly #ctx: IdpContext
  readonly #deps: ControlDeps

  constructor(ctx: IdpContext, deps: ControlDeps) {
    this.#ctx = ctx
    this.#deps = deps
  }

  get clock(): MockIdpClock {
    return this.#ctx.clock
  }

  state(): ControlState {
    const { config, clients, users } = this.#ctx
    return {
      issuer: config.issuer,
      now: this.#ctx.clock.now(),
      clients: [...clients.ids()],
      users: [...users.values()].map(({ password: _password, ...user }) => user),
    }
  }

  async issueTokens(options: IssueTokensOptions): Promise<TokenResponseBody> {
    const ctx = this.#ctx
    await this.#deps.persistence.ready
    checkIssueOptions(options)
    const client = ctx.clients.get(options.clientId)
    if (!client) throw new TypeError(`issueTokens: unknown client ${options.clientId}`)
    const user = options.user === undefined ? undefined : ctx.users.get(options.user)
    if (options.user !== undefined && !user)
      throw new TypeError(`issueTokens: unknown user ${options.user}`)
    const scope = parseScope(
      options.scope ?? (user ? 'openid profile email' : client.scope?.join(' ')),
    )
    return issueTokens(ctx, {
      client,
      user,
      scope,
      resource: options.resource,
      nonce: options.nonce,
      authTime: user ? ctx.clock.now() : undefined,
      grantId: user ? randomToken(16) : undefined,
      sid: user ? startApiSession(ctx, user, client.clientId).sid : undefined,
      refresh: user ? { expiresAt: undefined } : false,
      accessTokenClaims: { ...options.claims, ...options.accessTokenClaims },
      idTokenClaims: { ...options.claims, ...options.idTokenClaims },
      accessTokenTtl: options.accessTokenTtl,
      idTokenTtl: options.idTokenTtl,
    })
  }

  async rotateKeys(): Promise<void> {
    await this.#deps.persistence.ready
    await this.#ctx.keys.rotate()
    this.#deps.persistence.save()
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.#deps.persistence.ready
    return this.#ctx.keys.jwks()
  }

  addUser(user: MockIdpUser): void {
    this.#ctx.users.add(user)
  }

  updateUser(username: string, patch: UserPatch): void {
    this.#ctx.users.update(username, patch)
  }

  async endSessions(username: string): Promise<number> {
    await this.#deps.persistence.ready
    const user = this.#ctx.users.get(username)
    if (!user) throw new TypeError(`endSessions: unknown user ${username}`)
    return endSessionsOf(this.#ctx, user.sub)
  }

  approveDevice(userCode: string, username: string): boolean {
    const user = this.#ctx.users.get(username)
    if (!user) throw new TypeError(`approveDevice: unknown user ${username}`)
    return this.#ctx.store.approveDevice(userCode, user.sub, this.#ctx.clock.now())
  }

  denyDevice(userCode: string): boolean {
    return this.#ctx.store.denyDevice(userCode)
  }

  injectFault(fault: MockIdpFault): void {
    this.#deps.faults.add(fault)
  }

  clearFaults(): void {
    this.#deps.faults.clear()
  }

  requests(): LoggedRequest[] {
    return this.#deps.log.entries.map((entry) => ({ ...entry }))
  }

  clearRequests(): void {
    this.#deps.log.entries = []
  }

  /** Forgets every code, token, session and device code, restores the users, resets the clock. */
  reset(): void {
    const { backchannel, faults, log } = this.#deps
    backchannel.clear()
    this.#ctx.store.clear()
    faults.clear()
    log.entries = []
    this.#ctx.clock.reset()
    this.#ctx.users.reset()
  }

  /** Resolves once state is loaded, the last change saved, and no logout delivery in flight. */
  async flush(): Promise<void> {
    await this.#deps.persistence.ready
    await this.#deps.backchannel.settled()
    await this.#deps.persistence.saved()
  }
}
