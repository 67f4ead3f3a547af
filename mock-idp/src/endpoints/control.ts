import type { Controls } from '../controls.js'
import { checkFault } from '../faults.js'
import type { IdpContext } from '../internal/context.js'
import { checkControlAccess } from '../internal/control-access.js'
import { jsonResponse } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { MockIdpConfigError } from '../errors.js'

function problem(status: number, message: string): Response {
  return jsonResponse({ error: 'invalid_request', error_description: message }, status)
}

async function readJson(body: RequestBody): Promise<Record<string, unknown>> {
  const text = await body.text()
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
  body: RequestBody,
  param: string,
) => Promise<Response> | Response

const deviceAnswer = (ok: boolean) =>
  ok ? jsonResponse({ ok }) : problem(404, 'no pending device authorization with that user code')

/** Every control route as `METHOD /path`; `:name` is one path segment. */
const ROUTES: Record<string, ControlHandler> = {
  'GET /state': (controls) => jsonResponse(controls.state()),
  'POST /users': async (controls, body) => {
    controls.addUser((await readJson(body)) as never)
    return jsonResponse({ ok: true }, 201)
  },
  'PATCH /users/:username': async (controls, body, username) => {
    controls.updateUser(username, (await readJson(body)) as never)
    return jsonResponse({ ok: true })
  },
  'POST /device/approve': async (controls, body) => {
    const json = await readJson(body)
    return deviceAnswer(
      controls.approveDevice(text(json.userCode, 'userCode'), text(json.username, 'username')),
    )
  },
  'POST /device/deny': async (controls, body) => {
    const json = await readJson(body)
    return deviceAnswer(controls.denyDevice(text(json.userCode, 'userCode')))
  },
  'POST /sessions/end': async (controls, body) => {
    const json = await readJson(body)
    return jsonResponse({ ended: await controls.endSessions(text(json.username, 'username')) })
  },
  'POST /tokens': async (controls, body) =>
    jsonResponse(await controls.issueTokens((await readJson(body)) as never)),
  'POST /keys/rotate': async (controls) => {
    await controls.rotateKeys()
    return jsonResponse({ ok: true })
  },
  'GET /clock': (controls) => jsonResponse({ now: controls.clock.now() }),
  'POST /clock': async (controls, body) => {
    const json = await readJson(body)
    if (json.reset === true) controls.clock.reset()
    else if (typeof json.set === 'number') controls.clock.set(json.set)
    else if (typeof json.advance === 'number') controls.clock.advance(json.advance)
    else
      throw new TypeError(
        'send { "advance": seconds }, { "set": epochSeconds } or { "reset": true }',
      )
    return jsonResponse({ now: controls.clock.now() })
  },
  'POST /faults': async (controls, body) => {
    controls.injectFault(checkFault(await readJson(body)))
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
  body: RequestBody,
  remoteAddress: string | undefined,
  path: string,
): Promise<Response> {
  const { request } = body
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
    return await found[0](controls, body, found[1])
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
