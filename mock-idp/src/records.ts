// The records the store keeps, and the shape of what `--data-dir` persists.

/** An authorization code (AS-2): single-use, 60 s, bound to client, redirect URI and PKCE challenge. */
export interface CodeRecord {
  clientId: string
  redirectUri: string
  redirectUriSent: boolean
  sub: string
  scope: string[]
  nonce: string | undefined
  codeChallenge: string | undefined
  resource: string | undefined
  authTime: number
  sid: string
  maxAgeSent: boolean
  expiresAt: number
  used: boolean
  grantId: string
}

/**
 * An access token issued in a grant that can be revoked as a whole (code replay, refresh-token
 * reuse): the token itself is self-contained (RFC 9068), only its grant is kept, until it expires.
 */
export interface GrantTokenRecord {
  grantId: string
  expiresAt: number
}

/** An opaque refresh token; all tokens rotated from one grant share `grantId` (the family). */
export interface RefreshTokenRecord {
  clientId: string
  sub: string
  scope: string[]
  resource: string | undefined
  authTime: number
  sid: string | undefined
  grantId: string
  expiresAt: number
  idleExpiresAt: number
  used: boolean
  revoked: boolean
}

/** A device authorization (RFC 8628 §3.2). */
export interface DeviceRecord {
  deviceCode: string
  userCode: string
  clientId: string
  scope: string[]
  resource: string | undefined
  expiresAt: number
  interval: number
  lastPolledAt: number | undefined
  status: 'pending' | 'approved' | 'denied' | 'used'
  sub: string | undefined
  authTime: number | undefined
}

/** A browser session at the IdP (the `mock_idp_session` cookie). */
export interface SessionRecord {
  /** The public session id put in tokens as `sid`; the cookie value stays secret. */
  sid: string
  sub: string
  authTime: number
  expiresAt: number
  /** The clients this session signed in to, told by back-channel logout when it ends. */
  clients?: string[]
}

/** A pending authorization request waiting for the login form. */
export interface AuthorizationTransaction {
  clientId: string
  redirectUri: string
  redirectUriSent: boolean
  scope: string[]
  state: string | undefined
  nonce: string | undefined
  codeChallenge: string | undefined
  resource: string | undefined
  maxAge: number | undefined
  loginHint: string | undefined
  responseMode: 'query'
  expiresAt: number
  failures: number
}

/** A login the dashboard started ("try a login"), waiting for its code, by `state`. */
export interface DashboardLogin {
  clientId: string
  redirectUri: string
  codeVerifier: string
  nonce: string
  expiresAt: number
}

/** What survives a restart with `--data-dir`. */
export interface PersistedState {
  version: 2
  generation: string
  refreshTokens: [string, RefreshTokenRecord][]
  grantTokens: [string, GrantTokenRecord][]
  revokedAccessTokens: [string, number][]
  sessions: [string, SessionRecord][]
}

/** The first format, which kept a record of every access token. */
export interface PersistedStateV1 {
  version: 1
  refreshTokens: [string, RefreshTokenRecord][]
  accessTokens: [string, { expiresAt: number; grantId: string | undefined; revoked: boolean }][]
  sessions: [string, SessionRecord][]
}
