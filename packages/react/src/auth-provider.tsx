'use client'
import { createBrowserAuth, type BrowserAuth, type BrowserAuthOptions } from '@oidckit/browser-pkce'
import { useEffect, useState, type ReactNode } from 'react'
import { AuthContext } from './internal/auth-context.js'

/** Props of {@link AuthProvider}: the options of `createBrowserAuth()`, or an existing `auth`. */
export type AuthProviderProps = (
  (BrowserAuthOptions & { auth?: undefined }) | { auth: BrowserAuth<object>; issuer?: undefined }
) & {
  children?: ReactNode
  /**
   * Called once after a redirect login with the same-origin path to return to. Default:
   * `history.replaceState` to that path; pass your router's navigate instead.
   */
  onRedirectCallback?: ((returnTo: string) => void) | undefined
}

// One instance per configuration and page: StrictMode renders twice, and remounts must not
// open a second session.
const instances = new Map<string, BrowserAuth>()
const handled = new WeakSet<Promise<unknown>>()

/**
 * Provides the browser session to `useAuth()` and `<RequireAuth>`, and completes a redirect
 * login on the redirect URI, exactly once even under StrictMode. Renders nothing browser-only
 * on the server.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 * @example
 * ```tsx
 * <AuthProvider issuer="http://localhost:9400" clientId="spa" redirectUri="http://localhost:5173/callback">
 *   <App />
 * </AuthProvider>
 * ```
 */
export function AuthProvider(props: AuthProviderProps): ReactNode {
  const { children, onRedirectCallback } = props
  const [auth] = useState(() => props.auth ?? browserAuth(props as BrowserAuthOptions))
  useEffect(() => {
    if (!auth?.isRedirectCallback()) return
    const done = auth.handleRedirectCallback()
    if (handled.has(done)) return
    handled.add(done)
    done.then(
      ({ returnTo }) => {
        if (onRedirectCallback) onRedirectCallback(returnTo)
        else globalThis.history?.replaceState(globalThis.history.state, '', returnTo)
      },
      // The error is in the session state, where useAuth() shows it.
      () => {},
    )
  }, [auth, onRedirectCallback])
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>
}

function browserAuth(options: BrowserAuthOptions): BrowserAuth | null {
  if (typeof window === 'undefined') return null
  const key = JSON.stringify([options.issuer, options.clientId, options.redirectUri])
  let auth = instances.get(key)
  if (!auth) instances.set(key, (auth = createBrowserAuth(options)))
  return auth
}
