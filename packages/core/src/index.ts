export { authorizationCodeGrant } from './authorization-code-grant.js'
export type { AuthorizationCodeChecks } from './authorization-code-grant.js'
export { buildAuthorizationUrl } from './authorization-url.js'
export type { AuthorizationUrlParams } from './authorization-url.js'
export { Client } from './client.js'
export type { CreateAuthorizationUrlOptions, IssuerInfo } from './client.js'
export { createClientAuthentication } from './client-authentication.js'
export { createClientConfig } from './client-config.js'
export type { ClientConfig } from './client-config.js'
export { clientCredentialsGrant } from './client-credentials-grant.js'
export type {
  ClientAuthenticationOptions,
  ClientConfigOptions,
  ClientOptions,
  DiscoverConfigOptions,
  DiscoverOptions,
} from './client-options.js'
export { isCompactJws } from './compact-jws.js'
export { requestDeviceAuthorization } from './device-authorization.js'
export type { DeviceAuthorizationOptions } from './device-authorization.js'
export { discover } from './discover.js'
export { buildEndSessionUrl } from './end-session-url.js'
export type { EndSessionUrlParams } from './end-session-url.js'
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
export { introspectToken } from './introspect.js'
export type { TokenTypeHintOptions } from './introspect.js'
export { createPkce, randomNonce, randomState } from './pkce.js'
export type { Pkce } from './pkce.js'
export { pollDeviceToken } from './poll-device-token.js'
export { pushAuthorizationRequest } from './push-authorization-request.js'
export { refreshGrant } from './refresh-grant.js'
export { sameOriginPath } from './return-to.js'
export { revokeToken } from './revoke.js'
export { Subscribable } from './subscribable.js'
export { TokenSet } from './token-set.js'
export type { TokenSetInit, TokenSetJSON, TokenSetOptions } from './token-set.js'
export type {
  ClientAuthentication,
  ClientPrivateKey,
  DeviceAuthorization,
  FetchLike,
  IdTokenClaims,
  IntrospectionResult,
  IssuerMetadata,
  RequestOptions,
  TokenEndpointAuthMethod,
  TokenRequestOptions,
  TokenTypeHint,
  UserInfo,
} from './types.js'
export { fetchUserinfo } from './userinfo.js'
export type { UserinfoOptions } from './userinfo.js'
