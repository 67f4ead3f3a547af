import { KeyObject, sign } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { JWK, JWTHeaderParameters, JWTPayload } from 'jose'

export const ISSUER = 'https://issuer.test'
export const AUDIENCE = 'https://api.test'

interface Key {
  kid: string
  alg: string
  privateKey: CryptoKey
  jwk: JWK
}

async function makeKey(kid: string, alg = 'RS256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, jwk }
}

/**
 * A provider whose keys and tokens the test controls entirely: discovery and a JWKS served by
 * a fetch handler, and a signer for any header and payload, including hostile ones.
 */
let firstKey: Promise<Key> | undefined

export async function createTestProvider() {
  // RSA key generation is slow; providers share their first key, tests that need others make them.
  let keys = [await (firstKey ??= makeKey('key-1'))]
  let jwksRequests = 0
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (url.pathname === '/.well-known/openid-configuration') {
      return Response.json({
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/jwks`,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        response_types_supported: ['code'],
      })
    }
    if (url.pathname === '/jwks') {
      jwksRequests += 1
      return Response.json({ keys: keys.map((key) => key.jwk) })
    }
    return new Response('not found', { status: 404 })
  }
  const now = () => Math.floor(Date.now() / 1000)
  return {
    fetch,
    get jwksRequests() {
      return jwksRequests
    },
    get key() {
      return keys[0]!
    },
    claims(extra: JWTPayload = {}): JWTPayload {
      return {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'user-1',
        iat: now(),
        exp: now() + 300,
        scope: 'api:read profile',
        client_id: 'spa',
        jti: crypto.randomUUID(),
        ...extra,
      }
    },
    async sign(
      payload: JWTPayload = {},
      header: Partial<JWTHeaderParameters> = {},
      key: Key = keys[0]!,
    ): Promise<string> {
      return new SignJWT(this.claims(payload))
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
        .sign(key.privateKey)
    },
    /** Signs any header and payload as given, with no checks at all. */
    signRaw(header: Record<string, unknown>, payload: JWTPayload, key: Key = keys[0]!): string {
      const input = `${b64(header)}.${b64(payload)}`
      const signature = sign('sha256', Buffer.from(input), KeyObject.from(key.privateKey))
      return `${input}.${signature.toString('base64url')}`
    },
    async rotate(kid: string, alg = 'RS256'): Promise<Key> {
      const key = await makeKey(kid, alg)
      keys = [key]
      return key
    },
    async addKey(kid: string, alg = 'RS256'): Promise<Key> {
      const key = await makeKey(kid, alg)
      keys = [...keys, key]
      return key
    },
    makeKey,
  }
}

export const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
