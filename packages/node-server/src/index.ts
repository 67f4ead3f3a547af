export { bearerAuth } from './bearer-auth.js'
export type { RouteAuthOptions } from './bearer-auth.js'
export { bearerErrorResponse, toBearerError } from './bearer-error.js'
export type { BearerError, BearerErrorOptions } from './bearer-error.js'
export { nodeBearerAuth, requireAuth, requireScopes } from './require-auth.js'
export { createTokenVerifier } from './token-verifier.js'
export type {
  AccessTokenClaims,
  AuthResult,
  TokenVerifier,
  TokenVerifierOptions,
  VerifyFailure,
} from './token-verifier.js'
export {
  DiscoveryError,
  NetworkError,
  OAuthError,
  OidcKitError,
  TokenValidationError,
} from '@oidckit/core'
export type { AnyOidcKitError } from '@oidckit/core'
export { sendWebResponse, toNodeHandler, toWebRequest } from './listener.js'
export { createWebAuth } from './web-auth.js'
export type { WebAuth, WebSession } from './web-auth.js'
export type { AuthorizationParams, LoginOptions, WebAuthOptions } from './web-auth-options.js'
export { sessionMiddleware } from './session-middleware.js'
export type { SessionStore, SessionStoreSetOptions, StoredSession } from './session-store.js'
export { memorySessionStore } from './memory-session-store.js'
export type { MemorySessionStoreOptions } from './memory-session-store.js'
export { memoryRevokedSessions } from './revoked-sessions.js'
export type {
  MemoryRevokedSessionsOptions,
  Revocation,
  RevokedSessions,
} from './revoked-sessions.js'
export { redisSessionStore } from './redis-session-store.js'
export type { RedisSessionClient, RedisSessionStoreOptions } from './redis-session-store.js'
