const MAX_LENGTH = 2048
// Another origin no app runs on, to prove a path carries no authority of its own.
const PROBE = 'https://return-to.invalid'

/**
 * The one rule for where a login may send the user afterwards (C-2, RFC 9700 §4.11.1): a path on
 * `origin`. The value is normalised first (dot segments, percent-encoded dots, backslashes) and
 * the normalised result is what is checked and returned, so `/.//evil.example`,
 * `/%2e%2e//evil.example` and `/a/..//evil.example` never come back as `//evil.example`.
 *
 * Check the value when the login starts, and the stored value again when it returns: storage
 * and cookies can be tampered with in between.
 *
 * @returns the normalised path with its query and fragment, or `undefined` when the value is
 *   not a path on this origin (a scheme, `//host`, `/\host`, control characters, over 2 KB).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11.1
 * @example
 * sameOriginPath('/account?tab=1', 'https://app.example') // '/account?tab=1'
 * sameOriginPath('/.//evil.example', 'https://app.example') // undefined
 */
export function sameOriginPath(value: unknown, origin: string | URL): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || value[0] !== '/') return undefined
  // A backslash is a slash to browsers in http(s) URLs; control characters are stripped by them.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined
  let base: URL
  let url: URL
  try {
    base = new URL(origin)
    url = new URL(value, base.origin)
  } catch {
    return undefined
  }
  if (url.origin !== base.origin) return undefined
  const path = `${url.pathname}${url.search}${url.hash}`
  // Normalising can leave a leading `//`, which a browser reads as another host.
  if (!isPathOnly(path)) return undefined
  return path
}

function isPathOnly(path: string): boolean {
  if (path[0] !== '/' || path[1] === '/' || path[1] === '\\') return false
  try {
    const probe = new URL(path, PROBE)
    return probe.origin === PROBE && `${probe.pathname}${probe.search}${probe.hash}` === path
  } catch {
    return false
  }
}
