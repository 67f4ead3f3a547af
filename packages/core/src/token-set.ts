import { argumentError, isObject } from './internal/assert.js'
import { decodeJwtPayload } from './internal/jwt.js'
import type { IdTokenClaims } from './types.js'

/**
 * The serialised form of a {@link TokenSet}, from `toJSON()`, for storage. Contains secrets:
 * store it like a password.
 */
export interface TokenSetJSON {
  accessToken: string
  tokenType: string
  /** Seconds since the epoch. */
  expiresAt?: number | undefined
  refreshToken?: string | undefined
  idToken?: string | undefined
  scope?: string | undefined
}

/** How a {@link TokenSet} is built. */
export interface TokenSetInit extends TokenSetJSON {
  /** The server's `expires_in`, in seconds; sets `expiresAt` when that is not given. */
  expiresIn?: number | undefined
}

/** Options of the {@link TokenSet} constructor and `TokenSet.fromJSON()`. */
export interface TokenSetOptions<Claims extends object = object> {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: (() => number) | undefined
  /** The validated ID token claims; when absent they are decoded from `idToken`. */
  claims?: (IdTokenClaims & Claims) | undefined
}

const fields = ['accessToken', 'tokenType', 'refreshToken', 'idToken', 'scope'] as const

/**
 * The tokens of one grant: the access token, when it expires, the refresh token and the
 * validated ID token claims. Serialise with `toJSON()` and restore with `TokenSet.fromJSON()`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponse
 * @example
 * ```ts
 * const tokens = await client.authorizationCodeGrant(location.href, checks)
 * sessionStorage.setItem('tokens', JSON.stringify(tokens))
 * const restored = TokenSet.fromJSON(JSON.parse(sessionStorage.getItem('tokens')!))
 * if (restored.isExpired(60)) await client.refresh(restored)
 * ```
 */
export class TokenSet<Claims extends object = object> {
  declare readonly accessToken: string
  /** The token type, lower-cased: `bearer` or `dpop`. */
  declare readonly tokenType: string
  /** Seconds since the epoch at which the access token expires, from the client's clock. */
  declare readonly expiresAt: number | undefined
  /** The server's `expires_in`, in seconds, when this set came from a token response. */
  declare readonly expiresIn: number | undefined
  declare readonly refreshToken: string | undefined
  declare readonly idToken: string | undefined
  /** The granted scope, when the server reported it. */
  declare readonly scope: string | undefined
  readonly #clock: () => number
  readonly #claims: (IdTokenClaims & Claims) | undefined

  constructor(init: TokenSetInit, options?: TokenSetOptions<Claims>) {
    if (!isObject(init)) throw argumentError('ERR_INVALID_ARG_TYPE', 'A TokenSet needs an object.')
    for (const field of fields) {
      const value = init[field]
      if (value !== undefined && typeof value !== 'string') {
        throw argumentError('ERR_INVALID_ARG_TYPE', `TokenSet \`${field}\` must be a string.`)
      }
    }
    if (!init.accessToken || !init.tokenType) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        'A TokenSet needs `accessToken` and `tokenType`.',
      )
    }
    for (const field of ['expiresAt', 'expiresIn'] as const) {
      const value = init[field]
      if (value !== undefined && !Number.isFinite(value)) {
        throw argumentError('ERR_INVALID_ARG_TYPE', `TokenSet \`${field}\` must be a number.`)
      }
    }
    this.#clock = options?.clock ?? (() => Date.now())
    this.accessToken = init.accessToken
    this.tokenType = init.tokenType.toLowerCase()
    this.expiresIn = init.expiresIn
    this.expiresAt =
      init.expiresAt ??
      (init.expiresIn === undefined ? undefined : Math.floor(this.#clock() / 1000) + init.expiresIn)
    this.refreshToken = init.refreshToken
    this.idToken = init.idToken
    this.scope = init.scope
    this.#claims =
      options?.claims ??
      (init.idToken === undefined
        ? undefined
        : (decodeJwtPayload(init.idToken) as IdTokenClaims & Claims))
  }

  /**
   * The ID token's claims, validated when the tokens were obtained; `undefined` without an ID
   * token. A set restored with `fromJSON()` decodes them again from the stored ID token.
   */
  claims(): (IdTokenClaims & Claims) | undefined {
    return this.#claims
  }

  /**
   * Whether the access token has expired, or will within `leewaySeconds`. A set without
   * `expiresAt` never expires by itself.
   */
  isExpired(leewaySeconds = 0): boolean {
    if (this.expiresAt === undefined) return false
    return this.#clock() / 1000 + leewaySeconds >= this.expiresAt
  }

  /** The serialisable form; `JSON.stringify(tokens)` calls it. */
  toJSON(): TokenSetJSON {
    return {
      accessToken: this.accessToken,
      tokenType: this.tokenType,
      expiresAt: this.expiresAt,
      refreshToken: this.refreshToken,
      idToken: this.idToken,
      scope: this.scope,
    }
  }

  /**
   * Restores a set stored with `toJSON()`. The stored data is trusted: the ID token is decoded,
   * not verified again.
   *
   * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` when the data is not a
   *   stored TokenSet.
   */
  static fromJSON<Claims extends object = object>(
    json: unknown,
    options?: Pick<TokenSetOptions, 'clock'>,
  ): TokenSet<Claims> {
    // The constructor refuses anything but the object toJSON() returned.
    return new TokenSet<Claims>(json as TokenSetJSON, options)
  }
}
