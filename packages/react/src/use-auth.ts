'use client'
import type { AuthState, BrowserAuth, IdTokenClaims, LoginOptions } from '@oidckit/browser-pkce'
import { useContext, useMemo, useSyncExternalStore } from 'react'
import { AuthContext } from './internal/auth-context.js'

/** What {@link useAuth} returns. */
export interface UseAuthResult<Claims extends object = object> {
  /** A redirect login is being completed, or the page is rendering on the server. */
  isLoading: boolean
  isAuthenticated: boolean
  /** The ID token's claims. */
  user: (IdTokenClaims & Claims) | undefined
  /** The last failure, one of core's typed errors. */
  error: Error | undefined
  login(options?: LoginOptions): Promise<void>
  loginWithPopup(options?: LoginOptions): Promise<{ returnTo: string }>
  logout(options?: { localOnly?: boolean }): Promise<void>
  /** A valid access token, renewed when needed. */
  getAccessToken(): Promise<string>
}

const serverState: AuthState = {
  isLoading: true,
  isAuthenticated: false,
  user: undefined,
  error: undefined,
}
const noop = () => () => {}
const unavailable = () =>
  Promise.reject(new Error('Authentication is only available in the browser.'))

/**
 * The session and its actions, re-rendering on every change. Type the claims with a generic:
 * `useAuth<{ email: string }>()`.
 *
 * @throws Error when used outside `<AuthProvider>`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @example
 * ```tsx
 * const { isAuthenticated, user, login, logout } = useAuth<{ name: string }>()
 * return isAuthenticated ? <button onClick={() => logout()}>{user?.name}</button> : <button onClick={() => login()}>Log in</button>
 * ```
 */
export function useAuth<Claims extends object = object>(): UseAuthResult<Claims> {
  const context = useContext(AuthContext)
  if (context === undefined) {
    throw new Error(
      'useAuth() must be used inside <AuthProvider>: wrap your app in <AuthProvider issuer clientId redirectUri> from @oidckit/react.',
    )
  }
  const auth = context as BrowserAuth<Claims> | null
  const state = useSyncExternalStore(
    auth ? (listener) => auth.subscribe(listener) : noop,
    auth ? () => auth.getState() : () => serverState as AuthState<Claims>,
    () => serverState as AuthState<Claims>,
  )
  return useMemo(
    () => ({
      ...state,
      login: (options) => (auth ? auth.login(options) : unavailable()),
      loginWithPopup: (options) => (auth ? auth.loginWithPopup(options) : unavailable()),
      logout: (options) => (auth ? auth.logout(options) : unavailable()),
      getAccessToken: () => (auth ? auth.getAccessToken() : unavailable()),
    }),
    [auth, state],
  )
}
