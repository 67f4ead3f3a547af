export { AuthProvider } from './auth-provider.js'
export type { AuthProviderProps } from './auth-provider.js'
export { RequireAuth } from './require-auth.js'
export type { RequireAuthProps } from './require-auth.js'
export { useAuth } from './use-auth.js'
export type { UseAuthResult } from './use-auth.js'
export { createBrowserAuth } from '@oidckit/browser-pkce'
export type { AuthState, BrowserAuth, BrowserAuthOptions } from '@oidckit/browser-pkce'
export {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenValidationError,
} from '@oidckit/core'
