import type { MockIdpClock } from './clock.js'
import type { IdpContext } from './internal/context.js'
import { decodeJwt } from './internal/decode-jwt.js'
import { jose } from './internal/jose.js'
import { randomToken } from './internal/random.js'
import type { ResolvedClient } from './internal/resolve-config.js'
import type { LoggedRequest, RequestLog } from './request-log.js'
import type { SessionRecord } from './records.js'

/** OpenID Connect Back-Channel Logout §2.4: the one event a logout token carries. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
/** Seconds a logout token is valid: long enough for its delivery, short enough to be useless later. */
const LOGOUT_TOKEN_TTL = 120
/** Seconds before each retry: four attempts in all, over about 7 s. */
export const RETRY_DELAYS = [1, 2, 4] as const
/** Milliseconds one attempt may take, connection to last byte. */
const ATTEMPT_TIMEOUT_MS = 5_000
/** Deliveries waiting or in flight; past this, new ones are dropped (and logged as such). */
const MAX_PENDING = 1_000

interface Delivery {
  client: ResolvedClient
  uri: string
  sub: string
  sid: string
  attempt: number
  dueAt: number
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Sends logout tokens to the relying parties a session had signed in to, when the session ends
 * (OpenID Connect Back-Channel Logout 1.0 §2.5), retrying with backoff on the idp clock: a retry
 * is due `RETRY_DELAYS[n]` seconds later, real or advanced with `idp.clock`.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCRequest
 */
export class BackchannelLogout {
  readonly #ctx: IdpContext
  readonly #log: RequestLog
  readonly #waiting = new Set<Delivery>()
  readonly #inFlight = new Set<Promise<void>>()

  constructor(ctx: IdpContext, log: RequestLog) {
    this.#ctx = ctx
    this.#log = log
  }

  /**
   * Sends a logout token to every client of `session` that registered a
   * `backchannelLogoutUri`; resolves when each first attempt has settled (retries go on).
   */
  notify(session: SessionRecord): Promise<void> {
    const first: Promise<void>[] = []
    for (const clientId of session.clients ?? []) {
      const client = this.#ctx.clients.get(clientId)
      if (!client?.backchannelLogoutUri) continue
      const delivery: Delivery = {
        client,
        uri: client.backchannelLogoutUri,
        sub: session.sub,
        sid: session.sid,
        attempt: 0,
        dueAt: 0,
        timer: undefined,
      }
      if (this.#waiting.size + this.#inFlight.size >= MAX_PENDING) {
        this.#record(delivery, 1, 'dropped: too many deliveries pending')
        continue
      }
      first.push(this.#run(delivery))
    }
    return Promise.all(first).then(() => undefined)
  }

  /** Resolves when no attempt is in flight (retries scheduled for later are not waited for). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
  }

  /** Runs the retries the idp clock has reached (after `idp.clock.advance()` or `set()`). */
  runDue(): void {
    const now = this.#ctx.clock.now()
    for (const delivery of this.#waiting) if (delivery.dueAt <= now) void this.#run(delivery)
  }

  /** Forgets every scheduled retry (`idp.reset()`). */
  clear(): void {
    for (const delivery of this.#waiting) clearTimeout(delivery.timer)
    this.#waiting.clear()
  }

  #run(delivery: Delivery): Promise<void> {
    this.#waiting.delete(delivery)
    clearTimeout(delivery.timer)
    delivery.attempt++
    const attempt = this.#attempt(delivery)
      .catch(() => false)
      .then((ok) => {
        if (!ok) this.#retryLater(delivery)
      })
    this.#inFlight.add(attempt)
    void attempt.finally(() => this.#inFlight.delete(attempt))
    return attempt
  }

  #retryLater(delivery: Delivery): void {
    const delay = RETRY_DELAYS[delivery.attempt - 1]
    if (delay === undefined) return
    delivery.dueAt = this.#ctx.clock.now() + delay
    delivery.timer = setTimeout(() => {
      if (this.#waiting.has(delivery)) void this.#run(delivery)
    }, delay * 1000)
    ;(delivery.timer as { unref?: () => void }).unref?.()
    this.#waiting.add(delivery)
  }

  #record(delivery: Delivery, attempt: number, error?: string, token?: string): LoggedRequest {
    const url = new URL(delivery.uri)
    const decoded = token === undefined ? undefined : decodeJwt('logout_token', token)
    const entry: LoggedRequest = {
      time: this.#ctx.clock.now(),
      method: 'POST',
      path: url.pathname,
      endpoint: 'backchannel_logout',
      params: { logout_token: '[redacted]' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 0,
      ...(decoded ? { tokens: [decoded] } : {}),
      outbound: { url: delivery.uri, attempt, ...(error ? { error } : {}) },
    }
    this.#log.add(entry)
    return entry
  }

  /** One POST of a fresh logout token; true when the relying party answered 2xx (§2.8). */
  async #attempt(delivery: Delivery): Promise<boolean> {
    const token = await this.#logoutToken(delivery)
    const entry = this.#record(delivery, delivery.attempt, undefined, token)
    const send = this.#ctx.config.fetch ?? globalThis.fetch
    try {
      const response = await send(delivery.uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        // Only the registered URI: a redirect is a failure, never followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      })
      entry.status = response.status
      await response.body?.cancel().catch(() => undefined)
      if (response.status >= 200 && response.status < 300) return true
      entry.outbound!.error = `answered ${response.status}`
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name
      entry.outbound!.error =
        name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'could not connect'
    }
    return false
  }

  /** §2.4: iss, aud, iat, exp, jti, events, sub and sid; never a nonce; `typ: logout+jwt`. */
  async #logoutToken(delivery: Delivery): Promise<string> {
    const { SignJWT } = await jose()
    const key = await this.#ctx.keys.signingKey()
    const now = Math.floor(this.#ctx.clock.now())
    return new SignJWT({ events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, sid: delivery.sid })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
      .setIssuer(this.#ctx.config.issuer)
      .setSubject(delivery.sub)
      .setAudience(delivery.client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + LOGOUT_TOKEN_TTL)
      .setJti(randomToken(16))
      .sign(key.privateKey)
  }
}

/** A clock that runs due retries whenever a test moves it. */
export function watchedClock(clock: MockIdpClock, moved: () => void): MockIdpClock {
  return {
    now: () => clock.now(),
    advance(seconds) {
      clock.advance(seconds)
      moved()
    },
    set(epochSeconds) {
      clock.set(epochSeconds)
      moved()
    },
    reset() {
      clock.reset()
      moved()
    },
  }
}
