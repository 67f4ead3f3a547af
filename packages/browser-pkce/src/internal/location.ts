import type { BrowserLocation } from '../browser-auth-options.js'

export function defaultLocation(): BrowserLocation {
  return {
    href: () => globalThis.location?.href ?? 'http://localhost/',
    assign: (url) => globalThis.location.assign(url),
    replace: (url) => globalThis.history?.replaceState(globalThis.history.state, '', url),
  }
}

const responseParameters = [
  'code',
  'state',
  'iss',
  'session_state',
  'error',
  'error_description',
  'error_uri',
]

/** The URL without the authorization response parameters, so a reload or a shared link cannot replay them. */
export function withoutResponseParameters(href: string): string {
  const url = new URL(href)
  for (const name of responseParameters) url.searchParams.delete(name)
  return url.href
}

/** Whether `href` is an authorization response delivered to `redirectUri`. */
export function isCallback(href: string, redirectUri: string): boolean {
  try {
    const url = new URL(href)
    const expected = new URL(redirectUri)
    return (
      url.origin === expected.origin &&
      url.pathname === expected.pathname &&
      url.searchParams.has('state') &&
      (url.searchParams.has('code') || url.searchParams.has('error'))
    )
  } catch {
    return false
  }
}
