import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'

export const AUDIENCE = 'http://localhost:4000'

/** A mock-idp serving its JWKS on loopback, and a client-credentials access token it signed. */
export interface TokenIssuer {
  alg: 'RS256' | 'ES256'
  idp: MockIdp
  url: string
  token: string
  close(): Promise<void>
}

/**
 * Starts mock-idp over HTTP on 127.0.0.1 (the anchors fetch the JWKS themselves) signing with
 * `alg`, and mints an RFC 9068 access token for the demo `service` client (aud = the demo API).
 */
export async function startIssuer(alg: 'RS256' | 'ES256'): Promise<TokenIssuer> {
  const idp = createMockIdp({ signingAlg: alg })
  const server = await idp.listen({ port: 0 })
  try {
    const { access_token } = await idp.issueTokens({ clientId: 'service' })
    return { alg, idp, url: server.url, token: access_token, close: () => server.close() }
  } catch (err) {
    await server.close()
    throw err
  }
}
