import type { IssueTokensOptions } from '../mock-idp.js'
import { checkKeys } from './resolve-config.js'

/** Claims mock-idp sets itself: a test that needs other values uses the matching option. */
const RESERVED_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'client_id',
  'scope',
  'azp',
  'nonce',
  'at_hash',
  'auth_time',
  'sid',
  'cnf',
]

const OPTION_KEYS = Object.keys({
  user: true,
  clientId: true,
  scope: true,
  nonce: true,
  resource: true,
  claims: true,
  accessTokenClaims: true,
  idTokenClaims: true,
  accessTokenTtl: true,
  idTokenTtl: true,
} satisfies Record<keyof IssueTokensOptions, true>)

function invalid(message: string): TypeError {
  return Object.assign(new TypeError(`issueTokens: ${message}`), { code: 'ERR_INVALID_ARG_VALUE' })
}

/**
 * Checks `idp.issueTokens()` options (also what `POST /_mock/tokens` sends): known keys, claim
 * objects without the claims mock-idp sets, whole-second lifetimes.
 */
export function checkIssueOptions(options: IssueTokensOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object')
  checkKeys(options as unknown as Record<string, unknown>, OPTION_KEYS, 'the issueTokens options')
  for (const name of ['claims', 'accessTokenClaims', 'idTokenClaims'] as const) {
    const claims = options[name]
    if (claims === undefined) continue
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      throw invalid(`${name} must be an object`)
    }
    const reserved = RESERVED_CLAIMS.find((claim) => claim in claims)
    if (reserved) throw invalid(`${name} must not set ${reserved}, which mock-idp sets itself`)
  }
  for (const name of ['accessTokenTtl', 'idTokenTtl'] as const) {
    const ttl = options[name]
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1 && ttl <= 1e9)) {
      throw invalid(`${name} must be a positive whole number of seconds`)
    }
  }
}
