import type { ResolvedUser } from './internal/resolve-config.js'

/** OIDC Core §5.4: the standard claims each scope releases. */
export const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
}

/** Hanzo IAM-style claims every token about the user carries, whatever the scope. */
export const HANZO_CLAIMS = ['owner', 'name', 'displayName', 'isAdmin', 'type'] as const

const standard = new Set(Object.values(SCOPE_CLAIMS).flat())

/** Every claim name mock-idp can release, for discovery. */
export const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'at_hash',
  'azp',
  'sid',
  ...standard,
  ...HANZO_CLAIMS.filter((claim) => !standard.has(claim)),
]

/** Hanzo-style claims of a user, for access tokens. */
export function hanzoClaims(user: ResolvedUser): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const claim of HANZO_CLAIMS) {
    if (user.claims[claim] !== undefined) out[claim] = user.claims[claim]
  }
  return out
}

/**
 * The user claims released for `scope` (OIDC Core §5.4) plus the Hanzo-style ones and any
 * custom claim that is not a standard one, for ID tokens and userinfo.
 */
export function userClaims(user: ResolvedUser, scope: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { preferred_username: user.username, ...user.claims }
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) continue
    if (standard.has(name)) {
      const released = scope.some((s) => SCOPE_CLAIMS[s]?.includes(name))
      if (!released && !(HANZO_CLAIMS as readonly string[]).includes(name)) continue
    }
    out[name] = value
  }
  return out
}
