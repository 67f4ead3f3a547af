'use client'
import type { ReactNode } from 'react'
import { useAuth } from './use-auth.js'

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  children?: ReactNode
  /** Shown while loading and when signed out, such as a "Log in" button. */
  fallback?: ReactNode
}

/**
 * Renders its children only for a signed-in user, and `fallback` otherwise.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Authenticates
 * @example
 * ```tsx
 * <RequireAuth fallback={<LoginButton />}>
 *   <Dashboard />
 * </RequireAuth>
 * ```
 */
export function RequireAuth({ children, fallback = null }: RequireAuthProps): ReactNode {
  const { isAuthenticated } = useAuth()
  return isAuthenticated ? children : fallback
}
