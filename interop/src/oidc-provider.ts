import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { errors } from 'oidc-provider'
import type { UserAgent } from './user-agent.js'

/** The API that access tokens are minted for (RFC 8707 resource indicator). */
export const API = 'http://127.0.0.1:4000/api'
/** A second resource server, so a token for one can be shown to the other. */
export const OTHER_API = 'http://127.0.0.1:4001/other'
/** A resource server whose JWT access tokens are signed with ES256. */
export const ES256_API = 'http://127.0.0.1:4003/es256'
/** A resource server whose JWT access tokens are signed with Ed25519 (RFC 9864). */
export const ED25519_API = 'http://127.0.0.1:4004/ed25519'
/** A resource server that gets opaque access tokens, checked by introspection. */
export const OPAQUE_API = 'http://127.0.0.1:4002/opaque'

/** A client secret with the VSCHARs (RFC 6749 App. A) that Basic authentication must encode. */
export const SPECIAL_SECRET = 'p+a:s%2Fs w/o=rd&"~-0123456789'

export const SPA_REDIRECT = 'http://127.0.0.1:5173/callback'
export const SPA_LOGOUT = 'http://127.0.0.1:5173/'
export const WEB_REDIRECT = 'http://127.0.0.1:3000/callback'
export const WEB_LOGOUT = 'http://127.0.0.1:3000/'

export const users: Record<string, Record<string, unknown>> = {
  alice: {
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Liddell',
  },
  bob: { email: 'bob@example.com', email_verified: false, name: 'Bob Builder' },
}

export interface RunningProvider {
  issuer: string
  provider: Provider
  /** The private key (JWK with `kid`) of the `signed-service` client, for `private_key_jwt`. */
  serviceKey: JsonWebKey & { kid: string }
  close(): Promise<void>
}

/**
 * panva's oidc-provider on a loopback port with the features oidckit drives: its development
 * login and consent forms, client credentials, introspection, revocation, the device flow,
 * RP-initiated logout and resource indicators (JWT access tokens for {@link API}).
 */
export async function startOidcProvider(): Promise<RunningProvider> {
  // The issuer must be known before the port is: bind first, attach the provider after.
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`

  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signing = {
    ...(await exportJWK(privateKey)),
    kid: 'interop-rs256',
    alg: 'RS256',
    use: 'sig',
  }
  const ec = await generateKeyPair('ES256', { extractable: true })
  const ecSigning = {
    ...(await exportJWK(ec.privateKey)),
    kid: 'interop-es256',
    alg: 'ES256',
    use: 'sig',
  }
  const ed = await generateKeyPair('Ed25519', { extractable: true })
  const edSigning = {
    ...(await exportJWK(ed.privateKey)),
    kid: 'interop-ed25519',
    alg: 'Ed25519',
    use: 'sig',
  }
  const service = await generateKeyPair('ES256', { extractable: true })
  const serviceKey = { ...(await exportJWK(service.privateKey)), kid: 'signed-service-1' }
  const servicePublic = { ...(await exportJWK(service.publicKey)), kid: serviceKey.kid }

  const provider = new Provider(issuer, {
    // Three signing keys: clients and resource servers pick RS256 (the default), ES256 or Ed25519.
    jwks: { keys: [signing, ecSigning, edSigning] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'Ed25519'] },
    cookies: { keys: ['interop-cookie-key-0123456789abcdef'] },
    clients: [
      {
        client_id: 'spa',
        token_endpoint_auth_method: 'none',
        redirect_uris: [SPA_REDIRECT],
        post_logout_redirect_uris: [SPA_LOGOUT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'spa-es256',
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'ES256',
        redirect_uris: [SPA_REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: 'spa-ed25519',
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'Ed25519',
        redirect_uris: [SPA_REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: 'spa-signed-userinfo',
        token_endpoint_auth_method: 'none',
        userinfo_signed_response_alg: 'RS256',
        redirect_uris: [SPA_REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: 'web-app',
        client_secret: 'web-app-secret-0123456789',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [WEB_REDIRECT],
        post_logout_redirect_uris: [WEB_LOGOUT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'service',
        client_secret: 'service-secret-0123456789',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read api:write',
      },
      {
        // RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64, so these
        // characters must survive the round trip.
        client_id: 'service:special',
        client_secret: SPECIAL_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      },
      {
        client_id: 'signed-service',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [servicePublic] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      },
      {
        client_id: 'cli',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    // oidckit sends PKCE S256 for every client (C-4); make oidc-provider insist on it too.
    pkce: { required: () => true },
    findAccount: (_ctx: unknown, id: string) => {
      const claims = users[id]
      if (!claims) return undefined
      return { accountId: id, claims: () => ({ sub: id, ...claims }) }
    },
    features: {
      devInteractions: { enabled: true },
      jwtUserinfo: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only when the client names one: a token without `resource` stays opaque, for userinfo.
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource === OPAQUE_API) {
            return { scope: 'api:read api:write', audience: resource, accessTokenFormat: 'opaque' }
          }
          const algs: Record<string, string> = {
            [API]: 'RS256',
            [OTHER_API]: 'RS256',
            [ES256_API]: 'ES256',
            [ED25519_API]: 'Ed25519',
          }
          const alg = algs[resource]
          if (!alg) throw new errors.InvalidTarget()
          return {
            scope: 'api:read api:write',
            audience: resource,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          }
        },
      },
    },
  })
  server.on('request', provider.callback())

  return {
    issuer,
    provider,
    serviceKey,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}

/**
 * Walks oidc-provider's development login and consent forms as a person would, from the
 * authorization URL to the redirect back to the app, and returns that callback URL.
 */
export async function signInThroughForms(
  agent: UserAgent,
  authorizationUrl: string | URL,
  options: { login: string; redirectUri: string },
): Promise<URL> {
  const atApp = (url: URL) => url.href.startsWith(options.redirectUri)
  let { response, url } = await agent.follow(authorizationUrl, {}, atApp)
  for (let step = 0; step < 4 && !atApp(url); step++) {
    const html = await response.text()
    if (response.status !== 200) throw new Error(`${url.href} answered ${response.status}: ${html}`)
    const fields: Record<string, string> = /name="prompt" value="login"/.test(html)
      ? { login: options.login, password: 'any-password' }
      : {}
    ;({ response, url } = await agent.submit({ html, url }, fields, () => true, atApp))
  }
  if (!atApp(url)) throw new Error(`the forms did not lead back to the app: ${url.href}`)
  return url
}

/**
 * A person approving a device login on oidc-provider's pages: enters the user code, confirms,
 * signs in and consents. Resolves on the success page.
 */
export async function approveDevice(
  agent: UserAgent,
  verificationUri: string,
  userCode: string,
  login: string,
  { abort = false } = {},
): Promise<string> {
  let { response, url } = await agent.follow(verificationUri)
  let html = await response.text()
  ;({ response, url } = await agent.submit({ html, url }, { user_code: userCode }))
  html = await response.text()
  const confirm: Record<string, string> = abort ? { abort: 'yes' } : {}
  ;({ response, url } = await agent.submit({ html, url }, confirm))
  for (let step = 0; step < 4; step++) {
    html = await response.text()
    if (!/name="prompt"/.test(html)) return html
    const fields: Record<string, string> = /name="prompt" value="login"/.test(html)
      ? { login, password: 'any-password' }
      : {}
    ;({ response, url } = await agent.submit({ html, url }, fields))
  }
  throw new Error(`the device pages did not finish: ${html}`)
}
