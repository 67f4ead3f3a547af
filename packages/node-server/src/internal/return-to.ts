/**
 * C-2: only a same-origin relative path may follow a login (no `//host`, no `/\host`, no scheme,
 * no control characters). Anything else becomes `/`.
 */
export function safeReturnTo(value: string | null, origin: string): string {
  if (!value || value.length > 2048 || !value.startsWith('/') || /^\/[/\\]/.test(value)) return '/'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/'
  try {
    const url = new URL(value, origin)
    if (url.origin !== origin) return '/'
    return `${url.pathname}${url.search}${url.hash}`
  } catch {
    return '/'
  }
}
