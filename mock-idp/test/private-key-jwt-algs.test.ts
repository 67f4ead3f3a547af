import { createMockIdp } from '@oidckit/mock-idp'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { expect, test } from 'vitest'
import { get, post } from './helpers.js'

// oauth4webapi and openid-client sign Ed25519 assertions with the RFC 9864 name `Ed25519`;
// older signers use `EdDSA`. Both are the same key and must authenticate.
test.each(['RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'])(
  'AS-6: private_key_jwt accepts a %s client assertion and advertises the algorithm',
  async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg)
    const idp = createMockIdp({
      clients: [
        {
          clientId: 'jwt-svc',
          jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
          grantTypes: ['client_credentials'],
        },
      ],
    })
    const metadata = (await (await get(idp, '/.well-known/openid-configuration')).json()) as {
      token_endpoint_auth_signing_alg_values_supported: string[]
    }
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toContain(alg)
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg, kid: 'k1' })
      .setIssuer('jwt-svc')
      .setSubject('jwt-svc')
      .setAudience(idp.issuer)
      .setExpirationTime(Math.floor(idp.clock.now()) + 60)
      .setJti(crypto.randomUUID())
      .sign(privateKey)
    const res = await post(idp, '/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    })
    expect(res.status).toBe(200)
  },
)
