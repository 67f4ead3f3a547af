export { createTokenSource } from './token-source.js'
export type { GetTokenOptions, InvalidateOptions, TokenSource } from './token-source.js'
export type { TokenSourceOptions } from './token-source-options.js'
export { redisTokenCache } from './redis-token-cache.js'
export type { RedisTokenCacheClient, RedisTokenCacheOptions } from './redis-token-cache.js'
export type { SharedTokenCache, SharedTokenEntry } from './shared-token-cache.js'
export type {
  CacheFailedEvent,
  RefreshFailedEvent,
  RetryScheduledEvent,
  TokenFetchedEvent,
  TokenRejectedEvent,
  TokenSourceEvent,
  TokenSourceEventTarget,
} from './token-source-event.js'
export {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenSet,
  TokenValidationError,
} from '@oidckit/core'
export type { AnyOidcKitError, ClientPrivateKey, FetchLike, OidcKitErrorCode } from '@oidckit/core'
