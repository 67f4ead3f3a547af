import { redact } from './secrets.js'

// Errors and responses known to hold nothing secret: oidckit errors and the copies made here.
const safe = new WeakSet<object>()

/** Records `value` as safe to keep as a cause as it is. */
export function markSafe(value: object): void {
  safe.add(value)
}

function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]'
}

/**
 * The cause an oidckit error may keep (RP-10, RP-18): an oidckit error as it is; any other error
 * as a copy of its name, `code`, message (recorded secrets redacted) and stack frames, with its
 * error causes copied alike, four deep. Nothing else survives: not a `Response`, a parsed body,
 * callback parameters, a request, or a value that is not an error.
 */
export function safeCause(
  cause: unknown,
  secrets?: ReadonlySet<string>,
  depth = 0,
): Error | undefined {
  if (!isError(cause) || depth > 4) return undefined
  if (safe.has(cause)) return cause
  const { name, code, stack } = cause as Error & { code?: unknown }
  // V8 and JavaScriptCore quote the text around a JSON.parse fault, which may be a token.
  const message = redact(
    name === 'SyntaxError'
      ? String(cause.message).replace(/"[\s\S]*"/, '"…"')
      : String(cause.message),
    secrets,
  )
  const inner = safeCause(cause.cause, secrets, depth + 1)
  const copy = new Error(message, inner && { cause: inner })
  Object.defineProperty(copy, 'name', { value: name, configurable: true, writable: true })
  if (typeof code === 'number' || (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code))) {
    Object.assign(copy, { code })
  }
  // Where it failed, without the first line of a V8 stack, which repeats the message.
  copy.stack = [
    `${name}: ${message}`,
    ...String(stack)
      .split('\n')
      .filter((l) => /^\s+at /.test(l)),
  ].join('\n')
  safe.add(copy)
  return copy
}

/**
 * A body-less copy of `response`: its status, and the headers a caller acts on, with recorded
 * secrets redacted. `undefined` when there is no response or its status cannot be copied.
 */
export function safeResponse(
  response: Response | undefined,
  secrets?: ReadonlySet<string>,
): Response | undefined {
  if (!response || safe.has(response)) return response
  if (response.status < 200 || response.status > 599) return undefined
  const headers = new Headers()
  for (const name of [
    'cache-control',
    'content-type',
    'date',
    'dpop-nonce',
    'retry-after',
    'www-authenticate',
  ]) {
    const value = response.headers.get(name)
    if (value !== null) headers.set(name, redact(value, secrets))
  }
  const copy = new Response(null, { status: response.status, headers })
  safe.add(copy)
  return copy
}
