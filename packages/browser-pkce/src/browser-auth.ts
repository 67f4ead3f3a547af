import {
  authorizationCodeGrant,
  buildAuthorizationUrl,
  createPkce,
  discover,
  randomNonce,
  randomState,
  refreshGrant,
  sameOriginPath,
  Subscribable,
  TokenSet,
  type ClientConfig,
  type IdTokenClaims,
} from '@oidckit/core'
import type { AuthState } from './auth-state.js'
import type {
  BrowserAuthOptions,
  BrowserLocation,
  ChannelLike,
  KeyValueStorage,
  LockManagerLike,
} from './browser-auth-options.js'
import { defaultChannel, isTabMessage, type TabMessage } from './internal/channel.js'
import { argumentError, endsSession, invalidCallback, loginRequired } from './internal/errors.js'
import { defaultLocation, isCallback, withoutResponseParameters } from './internal/location.js'
import { defaultLocks } from './internal/locks.js'
import { defaultOpenPopup, popupName, postToOpener } from './internal/popup.js'
import { checkReturnTo } from './internal/return-to.js'
import {
  memoryStorage,
  resolveTokenStorage,
  safeGet,
  safeRemove,
  safeSet,
  webStorage,
} from './internal/storage.js'
import { saveTransaction, sweepTransactions, takeTransaction } from './internal/transactions.js'

/** Options of `login()` and `loginWithPopup()`. */
export interface LoginOptions {
  /** A same-origin path to come back to, such as `/account` (C-2). Default: the current page. */
  returnTo?: string | undefined
  /** Extra authorization request parameters for this login (`prompt`, `login_hint`…). */
  params?: Record<string, string> | undefined
}

/** Options of `logout()`. */
export interface LogoutOptions {
  /** Sign out here and in other tabs only, without the provider's end-session redirect. */
  localOnly?: boolean | undefined
}

// Callbacks handled in this page, per transaction storage (one sessionStorage per page), across
// instances: React StrictMode may build two instances and call twice.
const callbacks = new WeakMap<KeyValueStorage, Map<string, Promise<{ returnTo: string }>>>()
const defaultScope = 'openid profile email offline_access'

/**
 * A signed-in browser session: login with authorization code + PKCE, tokens renewed by
 * refresh-token rotation, one refresh at a time across tabs. Build it with `createBrowserAuth()`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.3
 * @example
 * ```ts
 * const auth = createBrowserAuth({ issuer, clientId: 'spa', redirectUri: `${location.origin}/callback` })
 * auth.subscribe(() => render(auth.getState()))
 * ```
 */
export class BrowserAuth<Claims extends object = object> {
  readonly #options: BrowserAuthOptions
  readonly #store: Subscribable<AuthState<Claims>>
  readonly #tokenStorage: KeyValueStorage | undefined
  readonly #txStorage: KeyValueStorage
  readonly #shared: KeyValueStorage
  readonly #locks: LockManagerLike
  readonly #channel: ChannelLike | null
  readonly #location: BrowserLocation
  readonly #key: string
  readonly #clock: () => number
  readonly #leeway: number
  readonly #cleanup: (() => void)[] = []
  #config: Promise<ClientConfig> | undefined
  #tokens: TokenSet<Claims> | undefined
  #gen = 0
  #refreshing: Promise<string> | undefined
  #waiters: (() => boolean)[] = []
  #helloPending = false

  constructor(options: BrowserAuthOptions) {
    checkOptions(options)
    const adapters = options.adapters ?? {}
    this.#options = options
    this.#clock = options.clock ?? (() => Date.now())
    this.#leeway = options.refreshLeeway ?? 60
    this.#key = `oidckit:${options.clientId}@${options.issuer}`
    this.#tokenStorage = resolveTokenStorage(options.storage)
    this.#txStorage = adapters.transactionStorage ?? webStorage('session') ?? memoryStorage()
    this.#shared = adapters.sharedStorage ?? webStorage('local') ?? memoryStorage()
    this.#locks = adapters.locks ?? defaultLocks()
    this.#location = adapters.location ?? defaultLocation()
    this.#channel = adapters.channel === undefined ? defaultChannel(this.#key) : adapters.channel
    this.#restore()
    this.#store = new Subscribable<AuthState<Claims>>(
      this.#snapshot(isCallback(this.#location.href(), options.redirectUri), undefined),
    )
    this.#listen()
  }

  /** The current session snapshot; a new object on every change. */
  getState(): AuthState<Claims> {
    return this.#store.get()
  }

  /** The signed-in user's ID token claims, or `undefined`. */
  get user(): (IdTokenClaims & Claims) | undefined {
    return this.#store.get().user
  }

  /** Whether there are tokens (a valid access token, or a refresh token to renew it). */
  get isAuthenticated(): boolean {
    return this.#store.get().isAuthenticated
  }

  /** Calls `listener` with the new state on every change; returns the unsubscribe function. */
  subscribe(listener: (state: AuthState<Claims>) => void): () => void {
    return this.#store.subscribe(listener)
  }

  /**
   * Starts a login: stores a one-time transaction and navigates to the provider.
   *
   * @throws TypeError `ERR_INVALID_ARG_VALUE` for a `returnTo` off this origin (C-2) or when
   *   sessionStorage cannot hold the transaction; DiscoveryError; NetworkError.
   */
  async login(options: LoginOptions = {}): Promise<void> {
    const url = await this.#authorizationUrl(options, false)
    this.#location.assign(url)
  }

  /**
   * Logs in in a popup window and resolves once signed in. Call it from a click handler, or the
   * browser blocks the popup.
   *
   * @throws OAuthError `access_denied` when the popup is blocked or closed; the errors of `handleRedirectCallback()`.
   */
  async loginWithPopup(options: LoginOptions = {}): Promise<{ returnTo: string }> {
    const adapters = this.#options.adapters ?? {}
    // Opened before any await, while the click's user activation lasts.
    const popup = (adapters.openPopup ?? defaultOpenPopup)(popupName)
    const { popupLogin } = await import('./internal/popup-login.js').catch((err: unknown) => {
      popup?.close()
      throw err
    })
    return popupLogin(
      popup,
      () => this.#authorizationUrl(options, true),
      adapters.window ?? (globalThis as unknown as EventTarget),
      new URL(this.#options.redirectUri).origin,
      (href) => this.#handleCallback(href, false),
    )
  }

  /**
   * Completes a login on the redirect URI: checks `state` against the stored transaction
   * (once only), redeems the code with the PKCE verifier, validates the ID token, and removes
   * `code` and `state` from the address bar. Calling it again for the same `state` returns
   * the same promise.
   *
   * @throws TokenValidationError `ERR_AUTHORIZATION_RESPONSE_INVALID` (unknown or reused state,
   *   transaction for another issuer/client, bad `iss`); OAuthError (`?error=`, token endpoint
   *   errors); TokenValidationError on the ID token; NetworkError.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
   */
  handleRedirectCallback(url?: string): Promise<{ returnTo: string }> {
    const href = url ?? this.#location.href()
    if (url === undefined && postToOpener(href)) {
      globalThis.close?.()
      return new Promise(() => {})
    }
    return this.#handleCallback(href, url === undefined)
  }

  /** Whether `url` (default: the current page) is an authorization response for this app. */
  isRedirectCallback(url?: string): boolean {
    return isCallback(url ?? this.#location.href(), this.#options.redirectUri)
  }

  /**
   * A valid access token, renewed with the refresh token when it expires within
   * `refreshLeeway` seconds by the clock (so a laptop waking from sleep gets a fresh one).
   * Across tabs only one refresh runs; the others take its result.
   *
   * @throws OAuthError `login_required` when not signed in or the session ended
   *   (`invalid_grant`); NetworkError (the session is kept: try again).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  async getAccessToken(): Promise<string> {
    const tokens = this.#tokens
    if (!tokens) throw loginRequired()
    if (!tokens.isExpired(this.#leeway)) return tokens.accessToken
    return this.#refresh()
  }

  /**
   * Signs out: revokes the refresh token, forgets the tokens in every tab, then navigates to
   * the provider's end-session endpoint with `id_token_hint` and the post-logout redirect URI.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    const tokens = this.#tokens
    // Without the provider's metadata or the logout code (offline), sign out here only.
    const [config, end] = await Promise.all([
      this.#getConfig(),
      import('./internal/end-session.js'),
    ]).catch(() => [])
    if (end && tokens?.refreshToken) await end.revokeQuietly(config, tokens.refreshToken)
    this.#signOutEverywhere(undefined)
    if (options.localOnly || !end || !config.metadata.end_session_endpoint) return
    this.#location.assign(
      end.endSessionUrl(config, tokens?.idToken, this.#options.postLogoutRedirectUri),
    )
  }

  /** Stops listening to other tabs and to the page's events. */
  destroy(): void {
    for (const stop of this.#cleanup.splice(0)) stop()
    this.#channel?.close()
  }

  async #authorizationUrl(options: LoginOptions, popup: boolean): Promise<string> {
    const origin = new URL(this.#options.redirectUri).origin
    const returnTo =
      options.returnTo === undefined
        ? (sameOriginPath(currentPath(this.#location.href()), origin) ?? '/')
        : checkReturnTo(options.returnTo, origin)
    const config = await this.#getConfig()
    const [pkce, state, nonce] = [await createPkce(), randomState(), randomNonce()]
    sweepTransactions(this.#txStorage, this.#clock())
    const { issuer, clientId, redirectUri } = this.#options
    saveTransaction(this.#txStorage, state, {
      issuer,
      clientId,
      redirectUri,
      codeVerifier: pkce.verifier,
      nonce,
      returnTo,
      popup,
      createdAt: this.#clock(),
    })
    const params = {
      ...this.#options.authorizationParams,
      ...options.params,
      scope: this.#options.scope ?? defaultScope,
      state,
      nonce,
      codeChallenge: pkce.challenge,
      redirectUri,
    }
    const url =
      config.metadata.require_pushed_authorization_requests === true
        ? await (await import('./internal/par.js')).pushAuthorizationRequest(config, params)
        : buildAuthorizationUrl(config, params)
    return url.href
  }

  #handleCallback(href: string, cleanAddressBar: boolean): Promise<{ returnTo: string }> {
    let state: string | null
    try {
      state = new URL(href).searchParams.get('state')
    } catch {
      state = null
    }
    if (!state) return Promise.reject(this.#fail(invalidCallback('The callback has no state.')))
    let handled = callbacks.get(this.#txStorage)
    if (!handled) callbacks.set(this.#txStorage, (handled = new Map()))
    const key = `${this.#key}#${state}`
    const known = handled.get(key)
    if (known) return known
    const run = this.#exchange(href, state, cleanAddressBar)
    handled.set(key, run)
    return run
  }

  async #exchange(href: string, state: string, cleanAddressBar: boolean) {
    this.#store.set({ ...this.#store.get(), isLoading: true })
    try {
      const { issuer, clientId, redirectUri } = this.#options
      if (cleanAddressBar) this.#location.replace(withoutResponseParameters(href))
      const tx = takeTransaction(this.#txStorage, state, { issuer, clientId, redirectUri })
      const config = await this.#getConfig()
      const tokens = await authorizationCodeGrant<Claims>(config, href, {
        state,
        nonce: tx.nonce,
        codeVerifier: tx.codeVerifier,
        redirectUri,
      })
      this.#commit(tokens, Math.max(this.#gen, this.#readGen()) + 1)
      const origin = new URL(redirectUri).origin
      return { returnTo: sameOriginPath(tx.returnTo, origin) ?? '/' }
    } catch (err) {
      throw this.#fail(err)
    }
  }

  #refresh(): Promise<string> {
    this.#refreshing ??= this.#locks
      .request(`${this.#key}:refresh`, () => this.#refreshLocked())
      .finally(() => {
        this.#refreshing = undefined
      })
    return this.#refreshing
  }

  // RP-20: under the lock, catch up with what other tabs did, and refresh only if still needed.
  async #refreshLocked(): Promise<string> {
    const shared = this.#readGen()
    if (shared > this.#gen) await this.#catchUp(shared)
    const current = this.#tokens
    if (!current) throw loginRequired('Signed out in another tab.')
    if (!current.isExpired(this.#leeway)) return current.accessToken
    if (!current.refreshToken) {
      const err = loginRequired('The access token expired.')
      this.#signOutEverywhere(err)
      throw err
    }
    try {
      const next = await refreshGrant(await this.#getConfig(), current)
      this.#commit(next, Math.max(this.#gen, shared) + 1)
      return next.accessToken
    } catch (err) {
      if (endsSession(err)) this.#signOutEverywhere(err)
      throw this.#fail(err)
    }
  }

  async #catchUp(gen: number): Promise<void> {
    if (this.#tokenStorage) this.#restore()
    if (this.#gen >= gen || !this.#channel) return
    // The tab that bumped the generation posted its result before releasing the lock.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000)
      this.#waiters.push(() => {
        if (this.#gen < gen) return false
        clearTimeout(timer)
        resolve()
        return true
      })
    })
  }

  #commit(tokens: TokenSet<Claims>, gen: number): void {
    this.#tokens = tokens
    this.#gen = gen
    safeSet(this.#shared, `${this.#key}:gen`, String(gen))
    const json = tokens.toJSON()
    this.#persist({ gen, tokens: json })
    this.#post({ type: 'tokens', gen, tokens: json })
    this.#publish(undefined)
  }

  #signOutEverywhere(error: unknown): void {
    const gen = Math.max(this.#gen, this.#readGen()) + 1
    this.#tokens = undefined
    this.#gen = gen
    safeSet(this.#shared, `${this.#key}:gen`, String(gen))
    safeRemove(this.#tokenStorage, this.#key)
    this.#post({ type: 'logout', gen })
    this.#publish(error)
  }

  #onMessage(data: unknown): void {
    if (!isTabMessage(data)) return
    if (data.type === 'hello') {
      if (this.#tokens)
        this.#post({ type: 'tokens', gen: this.#gen, tokens: this.#tokens.toJSON() })
      return
    }
    const answersHello = this.#helloPending && data.type === 'tokens' && !this.#tokens
    if (data.gen <= this.#gen && !answersHello) return
    this.#helloPending = false
    if (data.type === 'logout') {
      this.#tokens = undefined
      this.#gen = data.gen
      safeRemove(this.#tokenStorage, this.#key)
    } else {
      const tokens = this.#fromJSON(data.tokens)
      if (!tokens) return
      this.#tokens = tokens
      this.#gen = data.gen
      this.#persist({ gen: data.gen, tokens: data.tokens })
    }
    this.#publish(undefined)
    this.#waiters = this.#waiters.filter((wake) => !wake())
  }

  #listen(): void {
    const adapters = this.#options.adapters ?? {}
    if (this.#channel) {
      const channel = this.#channel
      channel.addEventListener('message', (event) => this.#onMessage(event.data))
      if (!this.#tokens) {
        this.#helloPending = true
        channel.postMessage({ type: 'hello' } satisfies TabMessage)
      }
    }
    const renew = () => {
      const doc = adapters.document ?? globalThis.document
      if (doc?.visibilityState === 'hidden') return
      if (this.#tokens?.isExpired(this.#leeway)) this.getAccessToken().catch(() => {})
    }
    const targets: [EventTarget | undefined, string][] = [
      [adapters.document ?? globalThis.document, 'visibilitychange'],
      [adapters.window ?? (globalThis.window as EventTarget | undefined), 'online'],
    ]
    for (const [target, type] of targets) {
      if (!target?.addEventListener) continue
      target.addEventListener(type, renew)
      this.#cleanup.push(() => target.removeEventListener(type, renew))
    }
  }

  #restore(): void {
    const raw = safeGet(this.#tokenStorage, this.#key)
    if (raw === null) return
    try {
      const stored = JSON.parse(raw) as { gen?: unknown; tokens?: unknown }
      const tokens = this.#fromJSON(stored.tokens)
      const gen = typeof stored.gen === 'number' ? stored.gen : 0
      if (!tokens || gen < this.#gen) return
      // Without a refresh token, an expired access token is no session.
      if (!tokens.refreshToken && tokens.isExpired()) return
      this.#tokens = tokens
      this.#gen = gen
    } catch {
      // Unreadable stored tokens: stay signed out, leave the entry for the next login to replace.
    }
  }

  #fromJSON(json: unknown): TokenSet<Claims> | undefined {
    try {
      return TokenSet.fromJSON<Claims>(json, { clock: this.#clock })
    } catch {
      return undefined
    }
  }

  #persist(value: { gen: number; tokens: unknown }): void {
    // A storage that refuses the write (quota, privacy mode) leaves the tokens in memory.
    safeSet(this.#tokenStorage, this.#key, JSON.stringify(value))
  }

  #post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message)
    } catch {
      // A closed channel: other tabs catch up through the shared generation.
    }
  }

  #readGen(): number {
    const value = Number(safeGet(this.#shared, `${this.#key}:gen`))
    return Number.isFinite(value) ? value : 0
  }

  #snapshot(isLoading: boolean, error: unknown): AuthState<Claims> {
    const tokens = this.#tokens
    return {
      isLoading,
      isAuthenticated: tokens !== undefined,
      user: tokens?.claims(),
      error: error instanceof Error ? error : undefined,
    }
  }

  #publish(error: unknown): void {
    this.#store.set(this.#snapshot(false, error))
  }

  #fail(err: unknown): unknown {
    this.#publish(err)
    return err
  }

  #getConfig(): Promise<ClientConfig> {
    const { issuer, clientId, redirectUri, fetch, clockTolerance, timeout } = this.#options
    this.#config ??= discover({
      issuer,
      clientId,
      redirectUri,
      fetch,
      clock: this.#options.clock,
      clockTolerance,
      timeout,
    }).catch((err: unknown) => {
      this.#config = undefined
      throw err
    })
    return this.#config
  }
}

function currentPath(href: string): string {
  try {
    const url = new URL(href)
    return url.pathname + url.search + url.hash
  } catch {
    return '/'
  }
}

function checkOptions(options: BrowserAuthOptions | undefined): asserts options {
  for (const name of ['issuer', 'clientId', 'redirectUri'] as const) {
    if (typeof options?.[name] !== 'string' || options[name] === '') {
      throw argumentError('ERR_INVALID_ARG_TYPE', `createBrowserAuth() needs \`${name}\`.`)
    }
  }
  try {
    new URL((options as BrowserAuthOptions).redirectUri)
  } catch {
    throw argumentError('ERR_INVALID_ARG_VALUE', '`redirectUri` must be an absolute URL.')
  }
}
