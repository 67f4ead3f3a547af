import type { MockIdp } from '../create-mock-idp.js'
import { checkFault } from '../faults.js'
import type { IdpContext } from '../internal/context.js'
import { readBodyText } from '../internal/params.js'
import { jsonResponse } from '../internal/protocol-error.js'
import { constantTimeEqual } from '../internal/random.js'
import { MockIdpConfigError } from '../errors.js'

/** Whether an address is this machine (`undefined`: an in-process call through `idp.fetch`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return true
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)
}

function problem(status: number, message: string): Response {
  return jsonResponse({ error: 'invalid_request', error_description: message }, status)
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await readBodyText(request)
  if (text === '') return {}
  const value = JSON.parse(text) as unknown
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('the body must be a JSON object')
  }
  return value as Record<string, unknown>
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${name} must be a non-empty string`)
  return value
}

/**
 * The `/_mock/` control API: the test controls of the library object over HTTP, for loopback
 * callers or holders of the admin token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function controlEndpoint(
  ctx: IdpContext,
  idp: MockIdp,
  request: Request,
  remoteAddress: string | undefined,
  path: string,
): Promise<Response> {
  if (!ctx.config.controlApi)
    return jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404)
  if (!isLoopbackAddress(remoteAddress)) {
    const auth = request.headers.get('authorization') ?? ''
    const token = /^bearer +(\S+)$/i.exec(auth)?.[1]
    if (!ctx.config.adminToken || !token || !constantTimeEqual(token, ctx.config.adminToken)) {
      return problem(403, 'the control API answers loopback callers or the admin token only')
    }
  }
  const method = request.method
  try {
    const route = `${method} ${path}`
    if (route === 'GET /state') {
      return jsonResponse({
        issuer: idp.issuer,
        now: idp.clock.now(),
        clients: [...ctx.config.clients.keys()],
        users: [...ctx.users.values()].map(({ password: _password, ...user }) => user),
      })
    }
    if (route === 'POST /users') {
      const body = await readJson(request)
      idp.addUser(body as never)
      return jsonResponse({ ok: true }, 201)
    }
    const userMatch = /^\/users\/([^/]+)$/.exec(path)
    if (userMatch && method === 'PATCH') {
      const body = await readJson(request)
      idp.updateUser(decodeURIComponent(userMatch[1]!), body as never)
      return jsonResponse({ ok: true })
    }
    if (route === 'POST /device/approve') {
      const body = await readJson(request)
      const ok = idp.approveDevice(text(body.userCode, 'userCode'), text(body.username, 'username'))
      return ok
        ? jsonResponse({ ok })
        : problem(404, 'no pending device authorization with that user code')
    }
    if (route === 'POST /device/deny') {
      const body = await readJson(request)
      const ok = idp.denyDevice(text(body.userCode, 'userCode'))
      return ok
        ? jsonResponse({ ok })
        : problem(404, 'no pending device authorization with that user code')
    }
    if (route === 'POST /tokens') {
      const body = await readJson(request)
      return jsonResponse(await idp.issueTokens(body as never))
    }
    if (route === 'POST /keys/rotate') {
      await idp.rotateKeys()
      return jsonResponse({ ok: true })
    }
    if (route === 'GET /clock') return jsonResponse({ now: idp.clock.now() })
    if (route === 'POST /clock') {
      const body = await readJson(request)
      if (body.reset === true) idp.clock.reset()
      else if (typeof body.set === 'number') idp.clock.set(body.set)
      else if (typeof body.advance === 'number') idp.clock.advance(body.advance)
      else
        throw new TypeError(
          'send { "advance": seconds }, { "set": epochSeconds } or { "reset": true }',
        )
      return jsonResponse({ now: idp.clock.now() })
    }
    if (route === 'POST /faults') {
      idp.injectFault(checkFault(await readJson(request)))
      return jsonResponse({ ok: true }, 201)
    }
    if (route === 'DELETE /faults') {
      idp.clearFaults()
      return jsonResponse({ ok: true })
    }
    if (route === 'GET /requests') return jsonResponse(idp.requests())
    if (route === 'DELETE /requests') {
      idp.clearRequests()
      return jsonResponse({ ok: true })
    }
    if (route === 'POST /reset') {
      idp.reset()
      return jsonResponse({ ok: true })
    }
    return jsonResponse({ error: 'not_found', error_description: `no control ${route}` }, 404)
  } catch (err) {
    if (
      err instanceof TypeError ||
      err instanceof SyntaxError ||
      err instanceof MockIdpConfigError
    ) {
      return problem(400, err.message)
    }
    throw err
  }
}
