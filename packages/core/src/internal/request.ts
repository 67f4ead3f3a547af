import {
  allowInsecureRequests,
  clockSkew,
  clockTolerance,
  customFetch,
  getValidatedIdTokenClaims,
  None,
  validateApplicationLevelSignature,
} from 'oauth4webapi'
import type { ClientAuth, Client as OAuthClient, TokenEndpointResponse } from 'oauth4webapi'
import type { ClientConfig } from '../client-config.js'
import { isCompactJws } from '../compact-jws.js'
import { TokenValidationError } from '../errors.js'
import { TokenSet } from '../token-set.js'
import type { IdTokenClaims } from '../types.js'
import { createHttp, transport } from './http.js'
import type { CustomFetch } from './http.js'
import { checkAccessTokenHash, checkIssuedAt, checkRefreshedIdToken } from './id-token.js'
import { mapError } from './map-error.js'
import type { Stage } from './map-error.js'
import { abortedError } from './sleep.js'

/** oauth4webapi's options of one request: core's HTTP path, and whether `http:` may be used. */
export interface HttpRequestOptions {
  [customFetch]: CustomFetch
  [allowInsecureRequests]: boolean
}

/** The configured clock, in milliseconds. */
export function now(config: ClientConfig): number {
  return (config.options.clock ?? Date.now)()
}

/** oauth4webapi's client record for one call, with the configured clock as a skew. */
export function oauthClient(config: ClientConfig): OAuthClient {
  return {
    client_id: config.clientId,
    id_token_signed_response_alg: config.options.idTokenSigningAlg ?? 'RS256',
    [clockSkew]: Math.floor(now(config) / 1000) - Math.floor(Date.now() / 1000),
    [clockTolerance]: config.options.clockTolerance ?? 30,
  }
}

/** The client authentication of a configuration; none for a public client. */
export function clientAuth(config: ClientConfig): ClientAuth {
  return config.options.clientAuthentication ?? None()
}

/**
 * Runs one exchange with the provider on core's HTTP path and maps whatever it throws. What the
 * exchange sends and receives is kept out of any error it raises (RP-10).
 */
export async function request<T>(
  config: ClientConfig,
  stage: Stage,
  signal: AbortSignal | undefined,
  run: (req: HttpRequestOptions, client: OAuthClient) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortedError(signal)
  const secrets = new Set<string>()
  const http = createHttp({ ...transport(config.options), signal, secrets })
  try {
    return await run(
      {
        [customFetch]: http,
        // http: is possible only where discovery allowed it: loopback issuers, or allowInsecure.
        [allowInsecureRequests]:
          config.options.allowInsecure === true || /^http:/i.test(config.metadata.issuer),
      },
      oauthClient(config),
    )
  } catch (err) {
    throw await mapError(err, stage, secrets)
  }
}

/**
 * The `TokenSet` of a validated token response, after the checks oauth4webapi leaves to us: a
 * canonical compact ID token, its signature (RP-2), `iat`, `at_hash` (RP-4), and on a refresh the
 * same authentication as before (RP-5).
 */
export async function toTokenSet<Claims extends object>(
  config: ClientConfig,
  response: Response,
  result: TokenEndpointResponse,
  req: HttpRequestOptions,
  previous?: TokenSet<Claims>,
): Promise<TokenSet<Claims>> {
  let claims = getValidatedIdTokenClaims(result) as (IdTokenClaims & Claims) | undefined
  if (claims && result.id_token) {
    // One token, one string: no padding, no `+/`, no stray bits (RFC 7515 §2).
    if (!isCompactJws(result.id_token)) {
      throw new TokenValidationError(
        'ERR_JWT_INVALID',
        'The ID token is not a canonical compact JWS.',
        { claim: 'id_token', reason: 'invalid' },
      )
    }
    // RP-2: the signature is always checked against the issuer's JWKS, even over TLS.
    await validateApplicationLevelSignature(config.metadata, response, req)
    checkIssuedAt(claims, Math.floor(now(config) / 1000), config.options.clockTolerance ?? 30)
    await checkAccessTokenHash(result.id_token, claims, result.access_token)
    const before = previous?.claims()
    if (before) checkRefreshedIdToken(before, claims)
  }
  let idToken = result.id_token
  if (!idToken && previous?.idToken) {
    idToken = previous.idToken
    claims = previous.claims()
  }
  return new TokenSet<Claims>(
    {
      accessToken: result.access_token,
      tokenType: result.token_type,
      expiresIn: result.expires_in,
      refreshToken: result.refresh_token ?? previous?.refreshToken,
      idToken,
      scope: result.scope ?? previous?.scope,
    },
    { clock: config.options.clock ?? (() => Date.now()), claims },
  )
}
