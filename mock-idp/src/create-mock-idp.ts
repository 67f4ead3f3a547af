import type { JWK } from 'jose'
import { createClock, type MockIdpClock } from './clock.js'
import type { MockIdpConfig, MockIdpUser } from './config.js'
import { corsHeaders, isAllowedOrigin, preflightResponse } from './cors.js'
import { BackchannelLogout, watchedClock } from './backchannel.js'
import { approveDevice, denyDevice } from './device.js'
import { authorizeEndpoint } from './endpoints/authorize.js'
import { controlEndpoint } from './endpoints/control.js'
import { dashboardEndpoint, type DashboardDeps } from './endpoints/dashboard.js'
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.js'
import { devicePage } from './endpoints/device-page.js'
import { discoveryDocument } from './endpoints/discovery.js'
import { introspectionEndpoint } from './endpoints/introspect.js'
import { logoutEndpoint } from './endpoints/logout.js'
import { revocationEndpoint } from './endpoints/revoke.js'
import { tokenEndpoint } from './endpoints/token.js'
import { userinfoEndpoint } from './endpoints/userinfo.js'
import { MockIdpConfigError } from './errors.js'
import { FaultQueue, type EndpointName, type MockIdpFault } from './faults.js'
import type { IdpContext } from './internal/context.js'
import { registerStore } from './internal/inspect.js'
import { checkIssueOptions } from './internal/issue-options.js'
import { MAX_URL_LENGTH } from './internal/params.js'
import { errorResponse, jsonResponse, ProtocolError } from './internal/protocol-error.js'
import { randomToken } from './internal/random.js'
import {
  checkKeys,
  resolveConfig,
  resolveUser,
  type ResolvedUser,
} from './internal/resolve-config.js'
import { parseScope } from './internal/scope.js'
import { KeyStore, type PersistedKeys } from './keys.js'
import { serveHandler, type ListenOptions, type MockIdpServer } from './listen.js'
import { RequestLog, type LoggedRequest } from './request-log.js'
import { Store, type PersistedState } from './store.js'
import { endSessionsOf, startApiSession } from './sessions.js'
import { issueTokens, type TokenResponseBody } from './tokens.js'

/**
 * What `idp.issueTokens()` mints: tokens for `user` (a username) or, without one, a
 * client-credentials token, with extra claims and lifetimes if a test needs them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 * @example
 * const tokens = await idp.issueTokens({
 *   user: 'alice',
 *   clientId: 'spa',
 *   scope: 'openid profile',
 *   accessTokenClaims: { roles: ['admin'] },
 *   accessTokenTtl: 60,
 * })
 */
export interface IssueTokensOptions {
  /** Username; omit for a client-credentials token. */
  user?: string
  clientId: string
  /** Space-separated; default `openid profile email` for users, the client's scope otherwise. */
  scope?: string
  nonce?: string
  resource?: string
  /** Extra claims for the access token and the ID token (not `iss`, `sub`, `aud`, `exp`, … which mock-idp sets). */
  claims?: Record<string, unknown>
  /** Extra claims for the access token only; they win over `claims`. */
  accessTokenClaims?: Record<string, unknown>
  /** Extra claims for the ID token only; they win over `claims`. */
  idTokenClaims?: Record<string, unknown>
  /** Access-token lifetime in seconds (and `expires_in`); default the config's `accessTokenTtl`. */
  accessTokenTtl?: number
  /** ID-token lifetime in seconds; default the config's `idTokenTtl`. */
  idTokenTtl?: number
}

/**
 * A running mock OpenID Provider: one web-standard handler plus test controls.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 * @example
 * const idp = createMockIdp()
 * const res = await idp.fetch(new Request(`${idp.issuer}/.well-known/openid-configuration`))
 */
export interface MockIdp {
  /** The issuer identifier (no trailing slash). */
  readonly issuer: string
  /** The virtual clock behind every expiry. */
  readonly clock: MockIdpClock
  /** The whole server as one handler. Never answers 5xx unless a fault is injected. */
  fetch(request: Request): Promise<Response>
  /** Serves over HTTP; sets the issuer to the listening URL when none was configured. */
  listen(options?: ListenOptions): Promise<MockIdpServer>
  /** Mints tokens without a browser, exactly as the token endpoint would answer. */
  issueTokens(options: IssueTokensOptions): Promise<TokenResponseBody>
  /** Replaces the signing key; the old public key stays in the JWKS for `keyRotationGrace`. */
  rotateKeys(): Promise<void>
  /** The public JWKS as served at `/.well-known/jwks`. */
  jwks(): Promise<{ keys: JWK[] }>
  /** Adds a user; throws MockIdpConfigError if the username or sub is taken. */
  addUser(user: MockIdpUser): void
  /** Changes a user's password or claims (claims merge; `null` removes one). */
  updateUser(username: string, patch: { password?: string; claims?: Record<string, unknown> }): void
  /**
   * Ends every IdP session of `username` (browser sessions and those of `issueTokens()`), and
   * sends a back-channel logout token to each client that each session signed in to and that
   * registered a `backchannelLogoutUri`. Resolves with the number of sessions ended, once every
   * first delivery attempt has settled; failed deliveries are retried after 1, 2 and 4 s on the
   * idp clock (see `flush()`).
   */
  endSessions(username: string): Promise<number>
  /** Approves a pending device authorization as `username`; false if the code is unknown. */
  approveDevice(userCode: string, username: string): boolean
  /** Denies a pending device authorization; false if the code is unknown. */
  denyDevice(userCode: string): boolean
  /** Makes the next call(s) of an endpoint fail (the opt-in fault profile). */
  injectFault(fault: MockIdpFault): void
  clearFaults(): void
  /** What clients sent, secrets redacted, oldest first. */
  requests(): LoggedRequest[]
  clearRequests(): void
  /** Forgets every code, token, session and device code, restores the configured users, resets the clock. */
  reset(): void
  /**
   * Resolves once persisted state is loaded, the last change is saved (with `storage`), and no
   * back-channel logout delivery is in flight (retries due later are not waited for).
   */
  flush(): Promise<void>
}

const CORS_ENDPOINTS = new Set<EndpointName>(['discovery', 'jwks', 'token', 'userinfo', 'revoke'])

type Handler = (
  request: Request,
  url: URL,
  remoteAddress: string | undefined,
) => Promise<Response> | Response

/**
 * Creates a mock OpenID Provider. Synchronous and cheap: keys are generated on first need.
 *
 * @throws MockIdpConfigError when the config is invalid.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 * @example
 * const idp = createMockIdp({ autoLogin: 'alice' })
 * const server = await idp.listen({ port: 0 })
 */
export function createMockIdp(config: MockIdpConfig = {}): MockIdp {
  const resolved = resolveConfig(config)
  // Moving the clock runs the back-channel retries it reaches.
  const clock = watchedClock(createClock(), () => backchannel.runDue())
  const keys = new KeyStore({
    alg: resolved.signingAlg,
    clock,
    grace: resolved.keyRotationGrace,
    extractable: resolved.storage !== undefined,
  })
  const store = new Store()
  const users = new Map<string, ResolvedUser>()
  const resetUsers = () => {
    users.clear()
    for (const user of resolved.users)
      users.set(user.username, { ...user, claims: { ...user.claims } })
  }
  resetUsers()
  const faults = new FaultQueue()
  const log = new RequestLog()
  const storage = resolved.storage

  let saving: Promise<void> = Promise.resolve()
  let saveQueued = false
  const save = () => {
    if (!storage || saveQueued) return
    saveQueued = true
    saving = saving.then(async () => {
      saveQueued = false
      try {
        await storage.save('keys.json', JSON.stringify(await keys.export()))
        await storage.save('state.json', JSON.stringify(store.snapshot()))
      } catch (err) {
        console.error(
          `mock-idp: could not save state: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    })
  }
  const ctx: IdpContext = {
    config: resolved,
    clock,
    keys,
    store,
    users,
    changed: save,
    sessionEnded: (session) => backchannel.notify(session),
  }
  const backchannel = new BackchannelLogout(ctx, log)
  keys.onChange = save
  const ready: Promise<void> = storage ? load() : Promise.resolve()
  async function load(): Promise<void> {
    const keyText = await storage!.load('keys.json')
    if (keyText) await keys.import(JSON.parse(keyText) as PersistedKeys)
    const stateText = await storage!.load('state.json')
    if (stateText) store.restore(JSON.parse(stateText) as PersistedState)
  }

  const base = new URL(resolved.issuer).pathname.replace(/\/$/, '')
  const routes = new Map<string, Handler>()
  const route = (path: string, name: EndpointName, handler: Handler) => {
    routes.set(base + path, async (request, url, remoteAddress) => {
      const origin = request.headers.get('origin')
      const cors = CORS_ENDPOINTS.has(name) && origin !== null && isAllowedOrigin(ctx, origin)
      if (request.method === 'OPTIONS' && CORS_ENDPOINTS.has(name))
        return preflightResponse(ctx, request)
      const done = await log.record(request, url, name, clock.now())
      let response = await faulted(name)
      if (!response) {
        try {
          response = await handler(request, url, remoteAddress)
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err
          response = errorResponse(err)
        }
      }
      done(response)
      if (cors) for (const [k, v] of Object.entries(corsHeaders(origin))) response.headers.set(k, v)
      return response
    })
  }
  async function faulted(name: EndpointName): Promise<Response | undefined> {
    const fault = faults.take(name)
    if (!fault) return undefined
    switch (fault.kind) {
      case 'oauth_error':
        return jsonResponse(
          { error: fault.error, error_description: fault.errorDescription ?? 'injected fault' },
          fault.status ?? 400,
        )
      case 'server_error':
        return jsonResponse({ error: 'server_error', error_description: 'injected fault' }, 500)
      case 'malformed':
        return new Response('{"access_token": "tru', {
          status: 200,
          headers: { 'content-type': 'application/json' },
        })
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms))
        return undefined
    }
  }
  const getOnly = (request: Request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new ProtocolError('invalid_request', 'this endpoint takes GET', 405, { allow: 'GET' })
    }
  }
  const discovery: Handler = (request) => {
    getOnly(request)
    return jsonResponse(discoveryDocument(ctx), 200, { 'cache-control': 'no-cache' })
  }
  route('/.well-known/openid-configuration', 'discovery', discovery)
  route('/.well-known/oauth-authorization-server', 'discovery', discovery)
  route('/.well-known/jwks', 'jwks', async (request) => {
    getOnly(request)
    return jsonResponse(await keys.jwks(), 200, {
      'cache-control': 'no-cache',
      'content-type': 'application/jwk-set+json',
    })
  })
  route('/oauth/authorize', 'authorize', (req, url) => authorizeEndpoint(ctx, req, url))
  route('/oauth/token', 'token', (req) => tokenEndpoint(ctx, req))
  route('/oauth/userinfo', 'userinfo', (req) => userinfoEndpoint(ctx, req))
  route('/oauth/introspect', 'introspect', (req) => introspectionEndpoint(ctx, req))
  route('/oauth/revoke', 'revoke', (req) => revocationEndpoint(ctx, req))
  route('/oauth/device/code', 'device_authorization', (req) =>
    deviceAuthorizationEndpoint(ctx, req),
  )
  route('/device', 'device', (req, url) => devicePage(ctx, req, url))
  route('/oauth/logout', 'logout', (req, url) => logoutEndpoint(ctx, req, url))
  const controlPrefix = `${base}/_mock/`
  const dashboardPrefix = `${base}/_dashboard/`

  // Exact paths need no router; a Map keeps the CLI's cold start short.
  const dispatch = async (
    request: Request,
    remoteAddress: string | undefined,
  ): Promise<Response> => {
    const url = new URL(request.url)
    const { pathname } = url
    const handler = routes.get(pathname)
    if (handler) return handler(request, url, remoteAddress)
    if (pathname.startsWith(controlPrefix)) {
      const path = pathname.slice(controlPrefix.length - 1)
      try {
        return await controlEndpoint(ctx, idp, request, remoteAddress, path)
      } catch (err) {
        if (err instanceof ProtocolError) return errorResponse(err)
        throw err
      }
    }
    if (pathname === `${base}/` || pathname.startsWith(dashboardPrefix)) {
      const action = pathname.slice(dashboardPrefix.length)
      return dashboardEndpoint(ctx, dashboard, request, url, remoteAddress, action)
    }
    return jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404)
  }

  const handle = async (request: Request, remoteAddress: string | undefined): Promise<Response> => {
    try {
      if (request.url.length > MAX_URL_LENGTH) {
        return errorResponse(new ProtocolError('invalid_request', 'URL too long', 414))
      }
      await ready
      return await dispatch(request, remoteAddress)
    } catch (err) {
      console.error(`mock-idp: internal error: ${err instanceof Error ? err.message : String(err)}`)
      return jsonResponse({ error: 'server_error', error_description: 'internal error' }, 500)
    }
  }

  const dashboard: DashboardDeps = {
    get idp() {
      return idp
    },
    log,
    handle: (request) => handle(request, undefined),
  }

  const idp: MockIdp = {
    get issuer() {
      return resolved.issuer
    },
    clock,
    fetch: (request) => handle(request, undefined),
    async listen(options = {}) {
      await ready
      const server = await serveHandler(handle, options)
      if (!resolved.issuerConfigured) resolved.issuer = server.url
      // A long-running server drops expired records on a timer, judged by the idp clock.
      const stopSweeping = store.startSweeping(() => clock.now())
      return {
        ...server,
        close: () => {
          stopSweeping()
          return server.close()
        },
      }
    },
    async issueTokens(options) {
      await ready
      checkIssueOptions(options)
      const client = resolved.clients.get(options.clientId)
      if (!client) throw new TypeError(`issueTokens: unknown client ${options.clientId}`)
      const user = options.user === undefined ? undefined : users.get(options.user)
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
        authTime: user ? clock.now() : undefined,
        grantId: user ? randomToken(16) : undefined,
        sid: user ? startApiSession(ctx, user, client.clientId).sid : undefined,
        refresh: user ? { expiresAt: undefined } : false,
        accessTokenClaims: { ...options.claims, ...options.accessTokenClaims },
        idTokenClaims: { ...options.claims, ...options.idTokenClaims },
        accessTokenTtl: options.accessTokenTtl,
        idTokenTtl: options.idTokenTtl,
      })
    },
    async rotateKeys() {
      await ready
      await keys.rotate()
      save()
    },
    jwks: async () => {
      await ready
      return keys.jwks()
    },
    addUser(input) {
      const user = resolveUser(input, 'user')
      if (users.has(user.username)) throw new MockIdpConfigError(`user ${user.username} exists`)
      for (const other of users.values()) {
        if (other.sub === user.sub) throw new MockIdpConfigError(`sub ${user.sub} is taken`)
      }
      if (resolved.clients.has(user.sub)) {
        throw new MockIdpConfigError(`sub ${user.sub} is a client_id (S-15)`)
      }
      users.set(user.username, user)
    },
    updateUser(username, patch) {
      const user = users.get(username)
      if (!user) throw new MockIdpConfigError(`no user ${username}`)
      checkKeys(patch, ['password', 'claims'], `the update of user ${username}`)
      const claims = { ...user.claims }
      for (const [name, value] of Object.entries(patch.claims ?? {})) {
        if (value === null) delete claims[name]
        else claims[name] = value
      }
      users.set(
        username,
        resolveUser({ ...user, password: patch.password ?? user.password, claims }, 'user'),
      )
    },
    async endSessions(username) {
      await ready
      const user = users.get(username)
      if (!user) throw new TypeError(`endSessions: unknown user ${username}`)
      return endSessionsOf(ctx, user.sub)
    },
    approveDevice(userCode, username) {
      const user = users.get(username)
      if (!user) throw new TypeError(`approveDevice: unknown user ${username}`)
      return approveDevice(ctx, userCode, user)
    },
    denyDevice: (userCode) => denyDevice(ctx, userCode),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    requests: () => log.entries.map((entry) => ({ ...entry })),
    clearRequests: () => {
      log.entries = []
    },
    reset() {
      backchannel.clear()
      store.clear()
      faults.clear()
      log.entries = []
      clock.reset()
      resetUsers()
      save()
    },
    async flush() {
      await ready
      await backchannel.settled()
      await saving
    },
  }
  registerStore(idp, store)
  return idp
}
