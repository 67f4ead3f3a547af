import type { MockIdpUser } from './config.js'
import { MockIdpConfigError } from './errors.js'
import {
  checkKeys,
  resolveUser,
  type ResolvedConfig,
  type ResolvedUser,
} from './internal/resolve-config.js'

/** A change to a user: a new password, claims merged in (`null` removes one). */
export type UserPatch = { password?: string; claims?: Record<string, unknown> }

/**
 * The users who can sign in, by username: the configured ones, plus those added at run time
 * until the next reset.
 */
export class Users {
  readonly #config: ResolvedConfig
  readonly #byName = new Map<string, ResolvedUser>()

  constructor(config: ResolvedConfig) {
    this.#config = config
    this.reset()
  }

  get(username: string): ResolvedUser | undefined {
    return this.#byName.get(username)
  }

  has(username: string): boolean {
    return this.#byName.has(username)
  }

  /** The user a token or a session names by `sub`. */
  bySub(sub: string): ResolvedUser | undefined {
    for (const user of this.#byName.values()) if (user.sub === sub) return user
    return undefined
  }

  /** Every user, in the order they were configured or added. */
  values(): IterableIterator<ResolvedUser> {
    return this.#byName.values()
  }

  /** Adds a user; throws MockIdpConfigError if the username or sub is taken (S-15 included). */
  add(input: MockIdpUser): void {
    const user = resolveUser(input, 'user')
    if (this.#byName.has(user.username)) {
      throw new MockIdpConfigError(`user ${user.username} exists`)
    }
    for (const other of this.#byName.values()) {
      if (other.sub === user.sub) throw new MockIdpConfigError(`sub ${user.sub} is taken`)
    }
    if (this.#config.clients.has(user.sub)) {
      throw new MockIdpConfigError(`sub ${user.sub} is a client_id (S-15)`)
    }
    this.#byName.set(user.username, user)
  }

  /** Changes a user's password or claims; throws MockIdpConfigError for an unknown user or key. */
  update(username: string, patch: UserPatch): void {
    const user = this.#byName.get(username)
    if (!user) throw new MockIdpConfigError(`no user ${username}`)
    checkKeys(patch, ['password', 'claims'], `the update of user ${username}`)
    const claims = { ...user.claims }
    for (const [name, value] of Object.entries(patch.claims ?? {})) {
      if (value === null) delete claims[name]
      else claims[name] = value
    }
    this.#byName.set(
      username,
      resolveUser({ ...user, password: patch.password ?? user.password, claims }, 'user'),
    )
  }

  /** Back to the configured users, as configured. */
  reset(): void {
    this.#byName.clear()
    for (const user of this.#config.users) {
      this.#byName.set(user.username, { ...user, claims: { ...user.claims } })
    }
  }
}
