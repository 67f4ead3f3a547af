import { argumentError } from './options.js'

/** Set by the web auth itself; neither options nor a login may change them. */
const RESERVED = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'request',
  'request_uri',
])

export type ParamValue = string | number | undefined

/** Checks the names and values of authorization parameters given in options or at a login. */
export function checkParams(
  params: Readonly<Record<string, ParamValue>> | undefined,
  where: string,
): Record<string, string> {
  const checked: Record<string, string> = {}
  if (params === undefined) return checked
  if (typeof params !== 'object' || params === null) {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${where} must be an object of parameters.`)
  }
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue
    if (RESERVED.has(name)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `${where}: the authorization parameter \`${name}\` is set by oidckit.`,
      )
    }
    if (name === 'max_age') {
      checked[name] = String(maxAge(value, where))
      continue
    }
    if (typeof value !== 'string') {
      throw argumentError('ERR_INVALID_ARG_TYPE', `${where}: \`${name}\` must be a string.`)
    }
    checked[name] = value
  }
  return checked
}

function maxAge(value: string | number, where: string): number {
  const n = typeof value === 'number' ? value : /^\d{1,10}$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < 0) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      `${where}: \`max_age\` must be a non-negative whole number of seconds.`,
    )
  }
  return n
}

/**
 * The allowlisted parameters of the login request's query string. A value that would not pass
 * {@link checkParams} (a malformed `max_age`) is dropped: it came from the browser, not the app.
 */
export function forwardedParams(url: URL, names: readonly string[]): Record<string, string> {
  const forwarded: Record<string, string> = {}
  for (const name of names) {
    const value = url.searchParams.get(name)
    if (value === null || value.length > 2048) continue
    if (name === 'max_age' && !/^\d{1,10}$/.test(value)) continue
    forwarded[name] = value
  }
  return forwarded
}

/** Checks the `forwardAuthorizationParams` option. */
export function checkForwardNames(names: unknown): readonly string[] {
  if (names === undefined) return []
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string' || name === '')) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      '`forwardAuthorizationParams` must be a list of parameter names.',
    )
  }
  for (const name of names as string[]) {
    if (RESERVED.has(name) || name === 'scope' || name === 'returnTo') {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `\`forwardAuthorizationParams\` cannot forward \`${name}\` from the browser.`,
      )
    }
  }
  return names as string[]
}
