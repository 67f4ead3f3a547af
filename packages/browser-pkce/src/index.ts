export { BrowserAuth } from './browser-auth.js'
export type { LoginOptions, LogoutOptions } from './browser-auth.js'
export type {
  BrowserAdapters,
  BrowserAuthOptions,
  BrowserLocation,
  ChannelLike,
  KeyValueStorage,
  LockManagerLike,
  PopupWindow,
  TokenStorageKind,
} from './browser-auth-options.js'
export type { AuthState } from './auth-state.js'
export { createBrowserAuth } from './create-browser-auth.js'
export {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenValidationError,
} from '@oidckit/core'
export type { AnyOidcKitError, IdTokenClaims } from '@oidckit/core'
