import { jsonResponse } from './internal/protocol-error.js'

/** Endpoints that faults can target. */
export type EndpointName =
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

export const ENDPOINT_NAMES: readonly EndpointName[] = [
  'discovery',
  'jwks',
  'authorize',
  'token',
  'userinfo',
  'introspect',
  'revoke',
  'device_authorization',
  'device',
  'logout',
]

/**
 * A fault for the next `times` calls of an endpoint (default 1): an OAuth error, a 500, a delay
 * before the normal answer, or a malformed body. This is the only way mock-idp answers 5xx or
 * garbage: the opt-in, named fault profile.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @example
 * idp.injectFault({ endpoint: 'token', kind: 'oauth_error', error: 'temporarily_unavailable', status: 503 })
 */
export type MockIdpFault = { endpoint: EndpointName; times?: number } & (
  | { kind: 'oauth_error'; error: string; errorDescription?: string; status?: number }
  | { kind: 'server_error' }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' }
)

/** Validates a fault (from the control API or a method call); throws TypeError naming the problem. */
export function checkFault(input: unknown): MockIdpFault {
  if (typeof input !== 'object' || input === null) throw new TypeError('a fault must be an object')
  const fault = input as Record<string, unknown>
  if (!ENDPOINT_NAMES.includes(fault.endpoint as EndpointName)) {
    throw new TypeError(`fault endpoint must be one of ${ENDPOINT_NAMES.join(', ')}`)
  }
  if (
    fault.times !== undefined &&
    !(Number.isInteger(fault.times) && (fault.times as number) > 0)
  ) {
    throw new TypeError('fault times must be a positive integer')
  }
  switch (fault.kind) {
    case 'oauth_error':
      if (
        typeof fault.error !== 'string' ||
        !/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/.test(fault.error)
      ) {
        throw new TypeError('an oauth_error fault needs an error code')
      }
      if (
        fault.status !== undefined &&
        !(
          Number.isInteger(fault.status) &&
          (fault.status as number) >= 400 &&
          (fault.status as number) <= 599
        )
      ) {
        throw new TypeError('fault status must be 400-599')
      }
      break
    case 'delay':
      if (typeof fault.ms !== 'number' || !(fault.ms >= 0 && fault.ms <= 60_000)) {
        throw new TypeError('a delay fault needs ms between 0 and 60000')
      }
      break
    case 'server_error':
    case 'malformed':
      break
    default:
      throw new TypeError('fault kind must be oauth_error, server_error, delay or malformed')
  }
  return fault as MockIdpFault
}

/** Pending faults per endpoint, consumed one call at a time. */
export class FaultQueue {
  #pending: { fault: MockIdpFault; left: number }[] = []

  add(fault: MockIdpFault): void {
    this.#pending.push({ fault, left: fault.times ?? 1 })
  }

  clear(): void {
    this.#pending = []
  }

  /** Takes the next fault for `endpoint`, if any. */
  take(endpoint: EndpointName): MockIdpFault | undefined {
    const entry = this.#pending.find((item) => item.fault.endpoint === endpoint)
    if (!entry) return undefined
    if (--entry.left <= 0) this.#pending.splice(this.#pending.indexOf(entry), 1)
    return entry.fault
  }
}

/**
 * The answer a fault gives in place of the endpoint's; `undefined` for a delay, after which the
 * endpoint answers as usual.
 */
export async function faultResponse(fault: MockIdpFault): Promise<Response | undefined> {
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
