export { Client } from './client.js'
export { isCompactJws } from './compact-jws.js'
export type {
  AuthorizationCodeChecks,
  AuthorizationUrlParams,
  CreateAuthorizationUrlOptions,
  IssuerInfo,
  RequestOptions,
} from './client.js'
export type { ClientOptions, DiscoverOptions } from './client-options.js'
export {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenValidationError,
} from './errors.js'
export type {
  AnyOidcKitError,
  ArgumentErrorCode,
  DiscoveryErrorCode,
  NetworkErrorCode,
  OAuthErrorCode,
  OAuthErrorOptions,
  OidcKitErrorCode,
  OidcKitErrorOptions,
  TokenValidationErrorCode,
  TokenValidationErrorOptions,
  TokenValidationReason,
} from './errors.js'
export { createPkce, randomNonce, randomState } from './pkce.js'
export type { Pkce } from './pkce.js'
export { sameOriginPath } from './return-to.js'
export { Subscribable } from './subscribable.js'
export { TokenSet } from './token-set.js'
export type { TokenSetInit, TokenSetJSON, TokenSetOptions } from './token-set.js'
export type {
  ClientPrivateKey,
  DeviceAuthorization,
  FetchLike,
  IdTokenClaims,
  IntrospectionResult,
  IssuerMetadata,
  TokenEndpointAuthMethod,
  TokenTypeHint,
  UserInfo,
} from './types.js'
