import type { IdpContext } from './context.js'
import { jsonResponse } from './protocol-error.js'
import { constantTimeEqual } from './random.js'

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/

interface Authority {
  hostname: string
  port: string
}

/** A `Host` value read under `protocol`'s default port; `undefined` if it is not a host. */
function parseAuthority(protocol: string, host: string): Authority | undefined {
  if (!HOST.test(host)) return undefined
  try {
    const url = new URL(`${protocol}//${host}`)
    return { hostname: url.hostname, port: url.port || (protocol === 'https:' ? '443' : '80') }
  } catch {
    return undefined
  }
}

function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname)
}

/**
 * The same server: the same host and port, where `localhost`, `127.0.0.1` and `[::1]` name one
 * machine, so a loopback issuer also answers its loopback aliases on the same port. A
 * rebinding attacker's name is never loopback by spelling, only by resolution.
 */
function sameServer(own: URL, host: string): boolean {
  const theirs = parseAuthority(own.protocol, host)
  if (!theirs) return false
  const ours = parseAuthority(own.protocol, own.host)!
  if (theirs.port !== ours.port) return false
  return (
    theirs.hostname === ours.hostname ||
    (isLoopbackHostname(theirs.hostname) && isLoopbackHostname(ours.hostname))
  )
}

function isOwnOrigin(own: readonly URL[], origin: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // `null` included: an opaque origin is never ours
  }
  return own.some((o) => o.protocol === url.protocol && sameServer(o, url.host))
}

function bearer(request: Request): string | undefined {
  return /^bearer +(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
}

function refuse(status: number, error: string, description: string, headers = {}): Response {
  return jsonResponse({ error, error_description: description }, status, headers)
}

/** Whether an address is this machine (`undefined`: an in-process call through `idp.fetch`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return true
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)
}

/**
 * Why a request is not the server's own: `host` for a foreign `Host` (DNS rebinding), `origin`
 * for a foreign `Origin` or a cross-site `Sec-Fetch-Site` (CSRF); `undefined` if it is.
 */
export function foreignRequest(
  ctx: IdpContext,
  request: Request,
  remoteAddress: string | undefined,
): 'host' | 'origin' | undefined {
  const own = [new URL(ctx.config.issuer)]
  // Through mock-idp's listener the URL is the listening origin, never taken from `Host`.
  if (remoteAddress !== undefined) own.push(new URL(request.url))
  const host = request.headers.get('host')
  if (host !== null && !own.some((o) => sameServer(o, host))) return 'host'
  const origin = request.headers.get('origin')
  const site = request.headers.get('sec-fetch-site')
  if (
    (origin !== null && !isOwnOrigin(own, origin)) ||
    (site !== null && site !== 'same-origin' && site !== 'none')
  ) {
    return 'origin'
  }
  return undefined
}

/**
 * Who may use the `/_mock/` control API; `undefined` to let the request through, else the
 * refusal. A web page the developer visits must not drive it: no cross-site request (CSRF), no
 * foreign `Host` (DNS rebinding), no body a form or `text/plain` fetch can send without a CORS
 * preflight, and through the listener the admin token when one is set. `remoteAddress` is
 * `undefined` for `idp.fetch`, which needs no token.
 *
 * @see https://fetch.spec.whatwg.org/#cors-safelisted-request-header
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function checkControlAccess(
  ctx: IdpContext,
  request: Request,
  remoteAddress: string | undefined,
): Response | undefined {
  const foreign = foreignRequest(ctx, request, remoteAddress)
  if (foreign === 'host') {
    return refuse(403, 'access_denied', 'the control API answers only its own Host name')
  }
  if (foreign === 'origin') {
    return refuse(403, 'access_denied', 'the control API refuses cross-origin requests')
  }
  if (remoteAddress !== undefined) {
    const expected = ctx.config.adminToken
    if (expected !== undefined) {
      const token = bearer(request)
      if (token === undefined || !constantTimeEqual(token, expected)) {
        return refuse(
          401,
          'invalid_token',
          'the control API needs Authorization: Bearer <admin token>, printed by mock-idp at start-up',
          { 'www-authenticate': 'Bearer realm="mock-idp control API"' },
        )
      }
    } else if (!isLoopbackAddress(remoteAddress)) {
      return refuse(403, 'access_denied', 'the control API answers loopback callers only')
    }
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') {
      return refuse(
        415,
        'invalid_request',
        'a control API request that changes state must send Content-Type: application/json',
      )
    }
  }
  return undefined
}
