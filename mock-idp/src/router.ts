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
import { RequestBody } from './internal/request-body.js'
import type { RequestHandler } from './listen.js'
import type { RequestLog } from './request-log.js'

/** What the router hands requests to besides the context. */
export interface RouterDeps {
  controls: Controls
  log: RequestLog
  faults: FaultQueue
  /** Settles once persisted state is loaded; no request is answered before. */
  ready: Promise<void>
}

type EndpointHandler = (
  request: Request,
  url: URL,
  body: RequestBody,
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
    routes.set(base + path, async (request, url, body) => {
      const origin = request.headers.get('origin')
      const allowed = cors && origin !== null && isAllowedOrigin(ctx, origin)
      if (request.method === 'OPTIONS' && cors) return preflightResponse(ctx, request)
      const done = await log.record(request, url, body, name, ctx.clock.now())
      const fault = faults.take(name)
      let response = fault && (await faultResponse(fault))
      if (!response) {
        try {
          response = await handler(request, url, body)
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
  route('/oauth/authorize', 'authorize', (req, url, body) => authorizeEndpoint(ctx, req, url, body))
  route('/oauth/token', 'token', (req, _url, body) => tokenEndpoint(ctx, req, body))
  route('/oauth/userinfo', 'userinfo', (req, _url, body) => userinfoEndpoint(ctx, req, body))
  route('/oauth/introspect', 'introspect', (req, _url, body) =>
    introspectionEndpoint(ctx, req, body),
  )
  route('/oauth/revoke', 'revoke', (req, _url, body) => revocationEndpoint(ctx, req, body))
  route('/oauth/device/code', 'device_authorization', (req, _url, body) =>
    deviceAuthorizationEndpoint(ctx, req, body),
  )
  route('/device', 'device', (req, url, body) => devicePage(ctx, req, url, body))
  route('/oauth/logout', 'logout', (req, url, body) => logoutEndpoint(ctx, req, url, body))
  const controlPrefix = `${base}/_mock/`
  const dashboardPrefix = `${base}/_dashboard/`

  // Exact paths need no router library; a Map keeps the CLI's cold start short.
  const dispatch = async (
    request: Request,
    remoteAddress: string | undefined,
    body: RequestBody,
  ): Promise<Response> => {
    const url = new URL(request.url)
    const { pathname } = url
    const handler = routes.get(pathname)
    if (handler) return handler(request, url, body)
    if (pathname.startsWith(controlPrefix)) {
      const path = pathname.slice(controlPrefix.length - 1)
      try {
        return await controlEndpoint(ctx, deps.controls, body, remoteAddress, path)
      } catch (err) {
        if (err instanceof ProtocolError) return errorResponse(err)
        throw err
      }
    }
    if (pathname === `${base}/` || pathname.startsWith(dashboardPrefix)) {
      const action = pathname.slice(dashboardPrefix.length)
      return dashboardEndpoint(ctx, dashboard, request, body, url, remoteAddress, action)
    }
    return jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404)
  }

  const handle: RequestHandler = async (request, remoteAddress, text) => {
    try {
      if (request.url.length > MAX_URL_LENGTH) {
        return errorResponse(new ProtocolError('invalid_request', 'URL too long', 414))
      }
      await ready
      return await dispatch(request, remoteAddress, new RequestBody(request, text))
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
