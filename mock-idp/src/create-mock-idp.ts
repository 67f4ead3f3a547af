import { Hono } from 'hono'
import type { JWK } from 'jose'
import { createClock, type MockIdpClock } from './clock.js'
import type { MockIdpConfig } from './config.js'
import { corsHeaders, isAllowedOrigin, preflightResponse } from './cors.js'
import { authorizeEndpoint } from './endpoints/authorize.js'
import { discoveryDocument } from './endpoints/discovery.js'
import { tokenEndpoint } from './endpoints/token.js'
import { userinfoEndpoint } from './endpoints/userinfo.js'
import type { IdpContext } from './internal/context.js'
import { MAX_URL_LENGTH } from './internal/params.js'
import { errorResponse, jsonResponse, ProtocolError } from './internal/protocol-error.js'
import { randomToken } from './internal/random.js'
import { resolveConfig, type ResolvedUser } from './internal/resolve-config.js'
import { parseScope } from './internal/scope.js'
import { KeyStore } from './keys.js'
import { serveHandler, type ListenOptions, type MockIdpServer } from './listen.js'
import { Store } from './store.js'
import { issueTokens, type TokenResponseBody } from './tokens.js'

/**
 * What `idp.issueTokens()` mints: tokens for `user` (a username) or, without one, a
 * client-credentials token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 * @example
 * const tokens = await idp.issueTokens({ user: 'alice', clientId: 'spa', scope: 'openid profile' })
 */
export interface IssueTokensOptions {
  /** Username; omit for a client-credentials token. */
  user?: string
  clientId: string
  /** Space-separated; default `openid profile email` for users, the client's scope otherwise. */
  scope?: string
  nonce?: string
  resource?: string
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
  /** The whole server as one handler. Never rejects; never answers 5xx unless a fault is injected. */
  fetch(request: Request): Promise<Response>
  /** Serves over HTTP; sets the issuer to the listening URL when none was configured. */
  listen(options?: ListenOptions): Promise<MockIdpServer>
  /** Mints tokens without a browser, exactly as the token endpoint would answer. */
  issueTokens(options: IssueTokensOptions): Promise<TokenResponseBody>
  /** Replaces the signing key; the old public key stays in the JWKS for `keyRotationGrace`. */
  rotateKeys(): Promise<void>
  /** The public JWKS as served at `/.well-known/jwks`. */
  jwks(): Promise<{ keys: JWK[] }>
}

type EndpointName =
  | 'discovery'
  | 'jwks'
  | 'authorize'
  | 'token'
  | 'userinfo'
  | 'introspect'
  | 'revoke'
  | 'device_authorization'
  | 'device'
  | 'logout'
  | 'control'

const CORS_ENDPOINTS = new Set<EndpointName>(['discovery', 'jwks', 'token', 'userinfo', 'revoke'])

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
  const clock = createClock()
  const keys = new KeyStore({
    alg: resolved.signingAlg,
    clock,
    grace: resolved.keyRotationGrace,
    extractable: resolved.storage !== undefined,
  })
  const store = new Store()
  const users = new Map<string, ResolvedUser>(resolved.users.map((user) => [user.username, user]))
  const ctx: IdpContext = { config: resolved, clock, keys, store, users, changed: () => undefined }

  type Env = { Bindings: { remoteAddress: string | undefined } }
  const app = new Hono<Env>()
  const base = new URL(resolved.issuer).pathname.replace(/\/$/, '')
  const route = (
    name: EndpointName,
    handler: (
      request: Request,
      url: URL,
      remoteAddress: string | undefined,
    ) => Promise<Response> | Response,
  ) => {
    return async (c: { req: { raw: Request }; env: Env['Bindings'] | undefined }) => {
      const request = c.req.raw
      const origin = request.headers.get('origin')
      const cors = CORS_ENDPOINTS.has(name) && origin !== null && isAllowedOrigin(ctx, origin)
      if (request.method === 'OPTIONS' && CORS_ENDPOINTS.has(name))
        return preflightResponse(ctx, request)
      let response: Response
      try {
        response = await handler(request, new URL(request.url), c.env?.remoteAddress)
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        response = errorResponse(err)
      }
      if (cors) for (const [k, v] of Object.entries(corsHeaders(origin))) response.headers.set(k, v)
      return response
    }
  }
  const getOnly = (request: Request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new ProtocolError('invalid_request', 'this endpoint takes GET', 405, { allow: 'GET' })
    }
  }
  const discovery = route('discovery', (request) => {
    getOnly(request)
    return jsonResponse(discoveryDocument(ctx), 200, { 'cache-control': 'no-cache' })
  })
  app.all(`${base}/.well-known/openid-configuration`, discovery)
  app.all(`${base}/.well-known/oauth-authorization-server`, discovery)
  app.all(
    `${base}/.well-known/jwks`,
    route('jwks', async (request) => {
      getOnly(request)
      return jsonResponse(await keys.jwks(), 200, {
        'cache-control': 'no-cache',
        'content-type': 'application/jwk-set+json',
      })
    }),
  )
  app.all(
    `${base}/oauth/authorize`,
    route('authorize', (req, url) => authorizeEndpoint(ctx, req, url)),
  )
  app.all(
    `${base}/oauth/token`,
    route('token', (req) => tokenEndpoint(ctx, req)),
  )
  app.all(
    `${base}/oauth/userinfo`,
    route('userinfo', (req) => userinfoEndpoint(ctx, req)),
  )
  app.notFound(() =>
    jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404),
  )
  app.onError((err) => {
    console.error(`mock-idp: internal error: ${err instanceof Error ? err.message : String(err)}`)
    return jsonResponse({ error: 'server_error', error_description: 'internal error' }, 500)
  })

  const handle = async (request: Request, remoteAddress: string | undefined): Promise<Response> => {
    if (request.url.length > MAX_URL_LENGTH) {
      return errorResponse(new ProtocolError('invalid_request', 'URL too long', 414))
    }
    return app.fetch(request, { remoteAddress })
  }

  const idp: MockIdp = {
    get issuer() {
      return resolved.issuer
    },
    clock,
    fetch: (request) => handle(request, undefined),
    async listen(options = {}) {
      const server = await serveHandler(handle, options)
      if (!resolved.issuerConfigured) resolved.issuer = server.url
      return server
    },
    async issueTokens(options) {
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
        grantId: randomToken(16),
        refresh: user ? { expiresAt: undefined } : false,
      })
    },
    rotateKeys: () => keys.rotate(),
    jwks: () => keys.jwks(),
  }
  return idp
}
