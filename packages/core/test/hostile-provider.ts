import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose'
import type { JWK } from 'jose'

/**
 * A deliberately broken OpenID provider for negative tests: one fetch handler serving
 * discovery, JWKS, token, userinfo, device and PAR endpoints, where every answer can be
 * replaced to serve one bad case per test.
 */
export interface HostileProvider {
  issuer: string
  clientId: string
  redirectUri: string
  fetch: typeof fetch
  metadata: Record<string, unknown>
  /** Requests served, by path. */
  hits: Record<string, number>
  /** The form bodies the token endpoint received, in order. */
  tokenRequests: URLSearchParams[]
  /** The keys the JWKS serves. */
  jwks: JWK[]
  /** Claims merged into the next ID tokens (undefined values delete a claim). */
  claims: Record<string, unknown>
  /** Header fields merged into the next ID tokens. */
  header: Record<string, unknown>
  /** Replaces the whole answer of a path. */
  routes: Record<string, (request: Request) => Response | Promise<Response>>
  /** The token endpoint's answer; by default a fresh token set with an ID token. */
  tokenResponse: (params: URLSearchParams) => Promise<Response>
  userinfo: Record<string, unknown>
  signIdToken(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
  /** Signs with a key that is not in the JWKS, under the JWKS key's kid. */
  signWithForeignKey(claims?: Record<string, unknown>): Promise<string>
  /** An HS256 token keyed with the RSA public key's SPKI PEM (the classic key confusion). */
  signHmacWithPublicKey(claims?: Record<string, unknown>): Promise<string>
  /** An unsigned `alg: none` token. */
  unsigned(claims?: Record<string, unknown>): string
  /** A callback URL as the provider would redirect to. */
  callback(params?: Record<string, string | undefined>): string
  /** Adds a new signing key to the JWKS and signs with it from now on. */
  rotate(): Promise<void>
  now(): number
}

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

// RSA key generation is slow on small machines: every provider starts with the same key.
let shared: ReturnType<typeof generateKeyPair> | undefined
let foreign: ReturnType<typeof generateKeyPair> | undefined
const sharedKey = () => (shared ??= generateKeyPair('RS256', { extractable: true }))
const foreignKey = () => (foreign ??= generateKeyPair('RS256', { extractable: true }))

export async function createHostileProvider(
  options: { issuer?: string; clientId?: string } = {},
): Promise<HostileProvider> {
  const issuer = options.issuer ?? 'https://hostile.test'
  const clientId = options.clientId ?? 'app'
  let signing = await sharedKey()
  let kid = 'key-1'
  const publicJwk = async () => ({
    ...(await exportJWK(signing.publicKey)),
    kid,
    alg: 'RS256',
    use: 'sig',
  })

  const provider: HostileProvider = {
    issuer,
    clientId,
    redirectUri: 'https://app.test/callback',
    metadata: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      device_authorization_endpoint: `${issuer}/device`,
      pushed_authorization_request_endpoint: `${issuer}/par`,
      end_session_endpoint: `${issuer}/logout`,
      authorization_response_iss_parameter_supported: true,
      id_token_signing_alg_values_supported: ['RS256'],
    },
    hits: {},
    tokenRequests: [],
    jwks: [await publicJwk()],
    claims: {},
    header: {},
    routes: {},
    userinfo: { sub: 'alice', email: 'alice@example.com' },
    now: () => Math.floor(Date.now() / 1000),
    async signIdToken(claims = {}, header = {}) {
      const now = provider.now()
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: clientId,
        sub: 'alice',
        iat: now,
        exp: now + 300,
        ...provider.claims,
        ...claims,
      }
      for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key]
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid, ...provider.header, ...header } as { alg: string })
        .sign(signing.privateKey)
    },
    async signWithForeignKey(claims = {}) {
      const now = provider.now()
      return new SignJWT({
        iss: issuer,
        aud: clientId,
        sub: 'alice',
        iat: now,
        exp: now + 300,
        ...provider.claims,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign((await foreignKey()).privateKey)
    },
    async signHmacWithPublicKey(claims = {}) {
      const now = provider.now()
      const secret = new TextEncoder().encode(await exportSPKI(signing.publicKey))
      return new SignJWT({
        iss: issuer,
        aud: clientId,
        sub: 'alice',
        iat: now,
        exp: now + 300,
        ...provider.claims,
        ...claims,
      })
        .setProtectedHeader({ alg: 'HS256', kid })
        .sign(secret)
    },
    unsigned(claims = {}) {
      const now = provider.now()
      const payload = {
        iss: issuer,
        aud: clientId,
        sub: 'alice',
        iat: now,
        exp: now + 300,
        ...provider.claims,
        ...claims,
      }
      return `${b64url({ alg: 'none' })}.${b64url(payload)}.`
    },
    callback(params = { code: 'the-code', state: 'the-state', iss: issuer }) {
      const url = new URL(provider.redirectUri)
      for (const [key, value] of Object.entries(params))
        if (value !== undefined) url.searchParams.set(key, value)
      return url.href
    },
    async rotate() {
      signing = await generateKeyPair('RS256', { extractable: true })
      kid = `key-${provider.jwks.length + 1}`
      provider.jwks = [...provider.jwks, await publicJwk()]
    },
    async tokenResponse() {
      const accessToken = `at-${crypto.randomUUID()}`
      return json(
        {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: 300,
          refresh_token: `rt-${crypto.randomUUID()}`,
          scope: 'openid',
          id_token: await provider.signIdToken(),
        },
        200,
        { 'cache-control': 'no-store' },
      )
    },
    fetch: async (input, init) => {
      const request = new Request(input, init)
      const base = new URL(issuer).pathname.replace(/\/$/, '')
      const full = new URL(request.url).pathname
      const path = full.startsWith(`${base}/`) ? full.slice(base.length) : full
      provider.hits[path] = (provider.hits[path] ?? 0) + 1
      const route = provider.routes[path]
      if (route) return route(request)
      switch (path) {
        case '/.well-known/openid-configuration':
          return json(provider.metadata)
        case '/jwks':
          return json({ keys: provider.jwks })
        case '/token': {
          const params = new URLSearchParams(await request.text())
          provider.tokenRequests.push(params)
          return provider.tokenResponse(params)
        }
        case '/userinfo':
          return json(provider.userinfo)
        case '/device':
          return json({
            device_code: 'device-code',
            user_code: 'ABCD-EFGH',
            verification_uri: `${issuer}/activate`,
            expires_in: 600,
            interval: 5,
          })
        case '/par':
          return json({ request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }, 201)
        default:
          return json({ error: 'not_found' }, 404)
      }
    },
  }
  return provider
}
