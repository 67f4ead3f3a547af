export { CredentialStore } from './credential-store.js'
export type {
  CredentialKey,
  CredentialStoreOptions,
  CredentialTransaction,
  StoredCredential,
} from './credential-store.js'
export { deviceLogin } from './device-login.js'
export type { DeviceCode, DeviceLoginOptions } from './device-login.js'
export { getToken, getTokenSet } from './get-token.js'
export type { GetTokenOptions } from './get-token.js'
export { isLoginRequired } from './login-required.js'
export { logout } from './logout.js'
export type { LogoutOptions } from './logout.js'
export {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenSet,
  TokenValidationError,
} from '@oidckit/core'
