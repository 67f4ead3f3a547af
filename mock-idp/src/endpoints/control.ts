import type { Controls } from '../controls.js'
import { checkFault } from '../faults.js'
import type { IdpContext } from '../internal/context.js'
import { checkControlAccess } from '../internal/control-access.js'
import { readBodyText } from '../internal/params.js'
import { jsonResponse } from '../internal/protocol-error.js'
import { MockIdpConfigError } from '../errors.js'

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

type ControlHandler = (
  controls: Controls,
  request: Request,
  param: string,
) => Promise<Response> | Response

const deviceAnswer = (ok: boolean) =>
  ok ? jsonResponse({ ok }) : problem(404, 'no pending device authorization with that user code')

/** Every control route as `METHOD /path`; `:name` is one path segment. */
const ROUTES: Record<string, ControlHandler> = {
  'GET /state': (controls) => jsonResponse(controls.state()),
  'POST /users': async (controls, request) => {
    controls.addUser((await readJson(request)) as never)
    return jsonResponse({ ok: true }, 201)
  },
  'PATCH /users/:username': async (controls, request, username) => {
    controls.updateUser(username, (await readJson(request)) as never)
    return jsonResponse({ ok: true })
  },
  'POST /device/approve': async (controls, request) => {
    const body = await readJson(request)
    return deviceAnswer(
      controls.approveDevice(text(body.userCode, 'userCode'), text(body.username, 'username')),
    )
  },
  'POST /device/deny': async (controls, request) => {
    const body = await readJson(request)
    return deviceAnswer(controls.denyDevice(text(body.userCode, 'userCode')))
  },
  'POST /sessions/end': async (controls, request) => {
    const body = await readJson(request)
    return jsonResponse({ ended: await controls.endSessions(text(body.username, 'username')) })
  },
  'POST /tokens': async (controls, request) =>
    jsonResponse(await controls.issueTokens((await readJson(request)) as never)),
  'POST /keys/rotate': async (controls) => {
    await controls.rotateKeys()
    return jsonResponse({ ok: true })
  },
  'GET /clock': (controls) => jsonResponse({ now: controls.clock.now() }),
  'POST /clock': async (controls, request) => {
    const body = await readJson(request)
    if (body.reset === true) controls.clock.reset()
    else if (typeof body.set === 'number') controls.clock.set(body.set)
    else if (typeof body.advance === 'number') controls.clock.advance(body.advance)
    else
      throw new TypeError(
        'send { "advance": seconds }, { "set": epochSeconds } or { "reset": true }',
      )
    return jsonResponse({ now: controls.clock.now() })
  },
  'POST /faults': async (controls, request) => {
    controls.injectFault(checkFault(await readJson(request)))
    return jsonResponse({ ok: true }, 201)
  },
  'DELETE /faults': (controls) => {
    controls.clearFaults()
    return jsonResponse({ ok: true })
  },
  'GET /requests': (controls) => jsonResponse(controls.requests()),
  'DELETE /requests': (controls) => {
    controls.clearRequests()
    return jsonResponse({ ok: true })
  },
  'POST /reset': (controls) => {
    controls.reset()
    return jsonResponse({ ok: true })
  },
}

/** The control routes (`POST /users`, `PATCH /users/:username`, …), for tests that cover each. */
export const CONTROL_ROUTES: readonly string[] = Object.keys(ROUTES)

/** The handler for `method path`, and its `:param` (decoded; `''` when the route has none). */
function findRoute(method: string, path: string): [ControlHandler, string] | undefined {
  const exact = ROUTES[`${method} ${path}`]
  if (exact) return [exact, '']
  for (const [route, handler] of Object.entries(ROUTES)) {
    const [, routeMethod, prefix] = /^(\w+) (.*\/):\w+$/.exec(route) ?? []
    if (routeMethod !== method || !prefix || !path.startsWith(prefix)) continue
    const param = path.slice(prefix.length)
    if (param !== '' && !param.includes('/')) return [handler, decodeURIComponent(param)]
  }
  return undefined
}

/**
 * The `/_mock/` control API: the test controls of the library object over HTTP, for same-origin
 * JSON requests only, and through the listener for loopback callers or holders of the admin
 * token (see {@link checkControlAccess}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function controlEndpoint(
  ctx: IdpContext,
  controls: Controls,
  request: Request,
  remoteAddress: string | undefined,
  path: string,
): Promise<Response> {
  if (!ctx.config.controlApi)
    return jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404)
  const refused = checkControlAccess(ctx, request, remoteAddress)
  if (refused) return refused
  try {
    const found = findRoute(request.method, path)
    if (!found) {
      return jsonResponse(
        { error: 'not_found', error_description: `no control ${request.method} ${path}` },
        404,
      )
    }
    return await found[0](controls, request, found[1])
  } catch (err) {
    if (
      err instanceof TypeError ||
      err instanceof SyntaxError ||
      err instanceof URIError ||
      err instanceof MockIdpConfigError
    ) {
      return problem(400, err.message)
    }
    throw err
  }
}
