import type { Controls } from './controls.js'
import { corsHeaders, isAllowedOrigin, preflightResponse } from './cors.js'
import { authorizeEndpoint } from './endpoints/authorize.js'
import { controlEndpoint } from './endpoints/control.js'
import { dashboardEndpoint, type DashboardDeps } from './endpoints/dashboard.js'
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.js'
import { devicePage } from './endpoints/device-page.js'
import { discoveryEndpoint } from './endpoints/discovery.js'
import { introspectionEndpoint } from './endpoints/introspect.js'
import { jwksEndpoint } from './endpoints/jwks.js'
import { logoutEndpoint } from './endpoints/logout.js'
import { revocationEndpoint } from './endpoints/revoke.js'
import { tokenEndpoint } from './endpoints/token.js'
import { userinfoEndpoint } from './endpoints/userinfo.js'
import { faultResponse, type EndpointName, type FaultQueue } from './faults.js'
import type { IdpContext } from './internal/context.js'
import { MAX_URL_LENGTH } from './internal/params.js'
import { errorResponse, jsonResponse, ProtocolError } from './internal/protocol-error.js'
import type { RequestLog } from './request-log.js'

/** What the router hands requests to besides the context. */
export interface RouterDeps {
  controls: Controls
  log: RequestLog
  faults: FaultQueue
  /** Settles once persisted state is loaded; no request is answered before. */
  ready: Promise<void>
}

/** The whole server: a request and, through the listener, the caller's address. */
export type RequestHandler = (
  request: Request,
  remoteAddress: string | undefined,
) => Promise<Response>

type EndpointHandler = (
  request: Request,
  url: URL,
  remoteAddress: string | undefined,
) => Promise<Response> | Response

const CORS_ENDPOINTS = new Set<EndpointName>(['discovery', 'jwks', 'token', 'userinfo', 'revoke'])

/**
 * Routes a request by its path under the issuer: each protocol endpoint through the request log,
 * injected faults, CORS and the mapping of a {@link ProtocolError} to its JSON answer; then the
 * `/_mock/` control API and the dashboard. Any other failure is a logged 500, never a crash.
 */
export function createRouter(ctx: IdpContext, deps: RouterDeps): RequestHandler {
  const { log, faults, ready } = deps
  const base = new URL(ctx.config.issuer).pathname.replace(/\/$/, '')
  const routes = new Map<string, EndpointHandler>()
  const route = (path: string, name: EndpointName, handler: EndpointHandler) => {
    const cors = CORS_ENDPOINTS.has(name)
    routes.set(base + path, async (request, url, remoteAddress) => {
      const origin = request.headers.get('origin')
      const allowed = cors && origin !== null && isAllowedOrigin(ctx, origin)
      if (request.method === 'OPTIONS' && cors) return preflightResponse(ctx, request)
      const done = await log.record(request, url, name, ctx.clock.now())
      const fault = faults.take(name)
      let response = fault && (await faultResponse(fault))
      if (!response) {
        try {
          response = await handler(request, url, remoteAddress)
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err
          response = errorResponse(err)
        }
      }
      done(response)
      if (allowed) {
        for (const [k, v] of Object.entries(corsHeaders(origin))) response.headers.set(k, v)
      }
      return response
    })
  }
  route('/.well-known/openid-configuration', 'discovery', (req) => discoveryEndpoint(ctx, req))
  route('/.well-known/oauth-authorization-server', 'discovery', (req) =>
    discoveryEndpoint(ctx, req),
  )
  route('/.well-known/jwks', 'jwks', (req) => jwksEndpoint(ctx, req))
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

  // Exact paths need no router library; a Map keeps the CLI's cold start short.
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
        return await controlEndpoint(ctx, deps.controls, request, remoteAddress, path)
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

  const handle: RequestHandler = async (request, remoteAddress) => {
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

  // A dashboard login redeems its code at the real token endpoint, through this same router.
  const dashboard: DashboardDeps = {
    controls: deps.controls,
    log,
    handle: (request) => handle(request, undefined),
  }
  return handle
}
