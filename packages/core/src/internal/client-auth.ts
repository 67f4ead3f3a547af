import { ClientSecretBasic, ClientSecretPost, None, PrivateKeyJwt } from 'oauth4webapi'
import type { ClientAuth, PrivateKey } from 'oauth4webapi'
import type { ClientPrivateKey, IssuerMetadata, TokenEndpointAuthMethod } from '../types.js'
import { argumentError, isObject } from './assert.js'

export interface ClientAuthOptions {
  clientSecret?: string | undefined
  privateKey?: ClientPrivateKey | undefined
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined
}

const methods = new Set(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'])

/**
 * Picks the token endpoint auth method: the explicit one, else `private_key_jwt` with a key,
 * else with a secret `client_secret_basic` unless the provider (`metadata`, when known) only
 * advertises `_post`, else `none` (a public client).
 */
export function resolveAuthMethod(
  options: ClientAuthOptions,
  metadata?: IssuerMetadata,
): TokenEndpointAuthMethod {
  const explicit = options.tokenEndpointAuthMethod
  if (explicit !== undefined) {
    if (!methods.has(explicit)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `\`tokenEndpointAuthMethod\` must be one of ${[...methods].join(', ')}; got ${String(explicit)}.`,
      )
    }
    if (explicit.startsWith('client_secret') && typeof options.clientSecret !== 'string') {
      throw argumentError('ERR_INVALID_ARG_VALUE', `\`${explicit}\` needs \`clientSecret\`.`)
    }
    if (explicit === 'private_key_jwt' && options.privateKey === undefined) {
      throw argumentError('ERR_INVALID_ARG_VALUE', '`private_key_jwt` needs `privateKey`.')
    }
    return explicit
  }
  if (options.privateKey !== undefined) return 'private_key_jwt'
  if (options.clientSecret !== undefined) {
    const supported = metadata?.token_endpoint_auth_methods_supported
    if (
      Array.isArray(supported) &&
      !supported.includes('client_secret_basic') &&
      supported.includes('client_secret_post')
    ) {
      return 'client_secret_post'
    }
    return 'client_secret_basic'
  }
  return 'none'
}

function inferAlg(jwk: JsonWebKey): string {
  if (typeof jwk.alg === 'string') return jwk.alg
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384'
  if (jwk.kty === 'EC' && jwk.crv === 'P-521') return 'ES512'
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'Ed25519'
  throw argumentError(
    'ERR_INVALID_ARG_VALUE',
    '`privateKey` JWK needs an "alg" (its key type and curve do not imply one).',
  )
}

function subtleAlgorithm(
  alg: string,
): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams {
  const hash = `SHA-${alg.slice(-3)}`
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash }
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash }
  if (alg === 'ES512') return { name: 'ECDSA', namedCurve: 'P-521' }
  if (alg.startsWith('ES')) return { name: 'ECDSA', namedCurve: `P-${alg.slice(-3)}` }
  if (alg === 'Ed25519' || alg === 'EdDSA') return { name: 'Ed25519' }
  throw argumentError('ERR_INVALID_ARG_VALUE', `\`privateKey\` algorithm ${alg} is not supported.`)
}

async function importPrivateKey(input: ClientPrivateKey): Promise<PrivateKey> {
  if (typeof CryptoKey !== 'undefined' && input instanceof CryptoKey) return { key: input }
  if (isObject(input) && 'key' in input && isObject(input.key)) {
    return { key: input.key as CryptoKey, kid: input.kid as string | undefined }
  }
  const record: Record<string, unknown> | undefined = isObject(input) ? input : undefined
  if (typeof record?.kty !== 'string' || typeof record.d !== 'string') {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      '`privateKey` must be a private CryptoKey, a private JWK (with "d"), or { key, kid }.',
    )
  }
  const jwk = input as JsonWebKey & { kid?: string }
  const alg = inferAlg(jwk)
  // key_ops/use/ext of the public half would make importKey refuse a signing key.
  const {
    kid,
    key_ops: _ops,
    use: _use,
    ext: _ext,
    ...material
  } = jwk as JsonWebKey & {
    kid?: string
    use?: string
  }
  const key = await crypto.subtle.importKey('jwk', material, subtleAlgorithm(alg), false, ['sign'])
  return { key, kid }
}

/** Builds oauth4webapi's client authentication for the resolved method. */
export function createClientAuth(
  method: TokenEndpointAuthMethod,
  options: ClientAuthOptions,
): ClientAuth {
  switch (method) {
    case 'client_secret_basic':
      return ClientSecretBasic(options.clientSecret as string)
    case 'client_secret_post':
      return ClientSecretPost(options.clientSecret as string)
    case 'none':
      return None()
    case 'private_key_jwt': {
      let auth: Promise<ClientAuth> | undefined
      return async (as, client, body, headers) => {
        auth ??= importPrivateKey(options.privateKey as ClientPrivateKey).then((key) =>
          PrivateKeyJwt(key),
        )
        auth.catch(() => {
          auth = undefined
        })
        return (await auth)(as, client, body, headers)
      }
    }
  }
}
