import type { MockIdpClock } from './clock.js'
import type { MockIdpUser } from './config.js'
import { MockIdpConfigError } from './errors.js'
import { hashedKey } from './internal/bounded-map.js'
import { constantTimeEqual, randomToken } from './internal/random.js'
import {
  checkKeys,
  resolveUser,
  type ResolvedConfig,
  type ResolvedUser,
} from './internal/resolve-config.js'
import type { Store } from './store.js'

/** After this many wrong passwords for one username in {@link PASSWORD_WINDOW}, it is locked. */
export const MAX_PASSWORD_FAILURES = 10
/** Seconds from a username's first wrong password until its count starts again. */
export const PASSWORD_WINDOW = 300

/** The user whose password matched, or none and, while the username is locked, the seconds left. */
export interface PasswordCheck {
  user: ResolvedUser | undefined
  retryAfter: number
}

/** A change to a user: a new password, claims merged in (`null` removes one). */
export type UserPatch = { password?: string; claims?: Record<string, unknown> }

/**
 * The users who can sign in, by username: the configured ones, plus those added at run time
 * until the next reset; and the password check of every login form, with its lock (AS-10).
 */
export class Users {
  readonly #config: ResolvedConfig
  readonly #store: Store
  readonly #clock: MockIdpClock
  readonly #byName = new Map<string, ResolvedUser>()

  constructor(config: ResolvedConfig, store: Store, clock: MockIdpClock) {
    this.#config = config
    this.#store = store
    this.#clock = clock
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

  /**
   * Checks a username and password from a login form (the authorization endpoint's or the
   * device page's), compared in constant time. Wrong passwords are counted per username, on the
   * idp clock: after {@link MAX_PASSWORD_FAILURES} in a window, every attempt for that username,
   * the right password included, is refused until the window ends. Unknown usernames are
   * counted too, apart, so they answer exactly like known ones, and junk names never crowd out
   * a real user's count.
   */
  async checkPassword(
    username: string | undefined,
    password: string | undefined,
  ): Promise<PasswordCheck> {
    if (username === undefined || password === undefined) return { user: undefined, retryAfter: 0 }
    const user = this.#byName.get(username)
    const counter = user ? this.#store.passwordFailures : this.#store.unknownUserFailures
    const key = await hashedKey('user:', username)
    const now = this.#clock.now()
    const retryAfter = counter.retryAfter(key, MAX_PASSWORD_FAILURES, now)
    if (retryAfter > 0) return { user: undefined, retryAfter }
    // Compare even for unknown users so the timing does not reveal which usernames exist.
    const ok = constantTimeEqual(password, user?.password ?? randomToken(16))
    if (ok && user) return { user, retryAfter: 0 }
    counter.fail(key, PASSWORD_WINDOW, now)
    return { user: undefined, retryAfter: 0 }
  }

  /** Back to the configured users, as configured. */
  reset(): void {
    this.#byName.clear()
    for (const user of this.#config.users) {
      this.#byName.set(user.username, { ...user, claims: { ...user.claims } })
    }
  }
}

/** What a login form says while a username is locked. */
export function lockedMessage(retryAfter: number): string {
  const minutes = Math.ceil(retryAfter / 60)
  return `Too many failed sign-ins for this username. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
}
