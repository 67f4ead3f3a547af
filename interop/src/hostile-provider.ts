import { createSign, generateKeyPairSync } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import { faulty, json } from './hostile-answers.js'
import type { TokenEndpointFault } from './hostile-answers.js'
import { listenLoopback } from './hostile-listen.js'

export type { TokenEndpointFault } from './hostile-answers.js'

/**
 * One way a JWT (an ID token or an RFC 9068 access token) is broken, in the spirit of the
 * OpenID Foundation's RP conformance modules (`oidcc-client-test-invalid-*`).
 */
export type JwtFault =
  /** Signed with a key the issuer does not publish, under the published `kid`. */
  | 'bad-signature'
  /** `alg: none`, no signature. */
  | 'alg-none'
  /** HS256 keyed with the issuer's RSA public key (PEM): the classic key confusion. */
  | 'hs256-public-key'
  | 'wrong-iss'
  | 'wrong-aud'
  /** `aud` lists this client and another one, without `azp`. */
  | 'multiple-aud-no-azp'
  | 'expired'
  /** `iat` two minutes in the future. */
  | 'future-iat'
  /** `nbf` two minutes in the future. */
  | 'not-yet-valid'
  | 'missing-nonce'
  | 'wrong-nonce'
  | 'missing-sub'
  /** Signed by the issuer's key, but under a `kid` the JWKS does not list. */
  | 'unknown-kid'
  /** `typ: JWT` instead of `at+jwt` (only meaningful for access tokens). */
  | 'wrong-typ'
  /** No `kid`; signed by a foreign key whose public JWK rides in the `jwk` header (RFC 8725 §3.10). */
  | 'embedded-jwk'
  /** Signed by a foreign key, with a `jku` header pointing at the attacker's JWKS. */
  | 'jku-header'
  /** Signed by a 1024-bit RSA key that the JWKS does publish (RP-3: under 2048 bits). */
  | 'weak-rsa-key'

/** One way the discovery document is broken, besides the endpoint faults. */
export type DiscoveryFault =
  | TokenEndpointFault
  /** `issuer` names another issuer than the one asked for (RP-7, mix-up). */
  | 'issuer-mismatch'
  /** The token endpoint is plain `http:` on a non-loopback host. */
  | 'insecure-endpoint'

/** One way the authorization response (the redirect back to the client) is forged. */
export type CallbackFault =
  /** RFC 9207 `iss` names another authorization server (mix-up). */
  | 'wrong-iss'
  /** No `iss`, although discovery advertises `authorization_response_iss_parameter_supported`. */
  | 'missing-iss'
  /** A `state` other than the one sent (CSRF). */
  | 'wrong-state'

export interface HostileProviderOptions {
  /** Default `https://hostile-<random>.test`; `listen()` replaces it with its loopback URL. */
  issuer?: string
  /** The client the provider issues ID tokens to. Default `app`. */
  clientId?: string
  /** The resource server access tokens are issued for. Default `https://api.test`. */
  audience?: string
}

export interface HostileServer {
  url: string
  close(): Promise<void>
}

/**
 * A deliberately hostile OpenID provider: discovery, JWKS, authorization, token (code, refresh,
 * client credentials, device code), userinfo and device authorization, as one web-standard
 * `fetch(Request) => Response` handler, serving one configured bad case at a time.
 */
export interface HostileProvider {
  readonly issuer: string
  readonly clientId: string
  readonly audience: string
  /** The default redirect URI of `callback()`. */
  readonly redirectUri: string
  /** The whole provider as a fetch; pass it as the `fetch` option of any SDK. */
  readonly fetch: (request: Request) => Promise<Response>
  /** Requests served, by path (`/jwks`, `/token`...). */
  readonly hits: Record<string, number>
  /** The `grant_type` of every token request, in order. */
  readonly grants: string[]
  /** Broken ID tokens in token responses from now on. */
  idTokenFault: JwtFault | undefined
  /** Broken access tokens in token responses from now on. */
  accessTokenFault: JwtFault | undefined
  /** A broken token endpoint from now on. */
  tokenFault: TokenEndpointFault | undefined
  /** A broken discovery document from now on. */
  discoveryFault: DiscoveryFault | undefined
  /** A broken JWKS endpoint from now on. */
  jwksFault: TokenEndpointFault | undefined
  /** A broken introspection endpoint from now on. */
  introspectionFault: TokenEndpointFault | undefined
  /** A broken userinfo endpoint from now on. */
  userinfoFault: TokenEndpointFault | undefined
  /** Forged authorization responses from `authorize()`. */
  callbackFault: CallbackFault | undefined
  /** What the introspection endpoint answers (RFC 7662 §2.2), merged over an active token's claims. */
  introspection: Record<string, unknown>
  /** The `sub` userinfo answers with; default the ID token's. */
  userinfoSub: string
  /** Device-code polls answered `authorization_pending` before the token endpoint answers. */
  pendingPolls: number
  /** The polling `interval` the device authorization endpoint asks for, in seconds. */
  deviceInterval: number
  /** The nonce ID tokens echo; `authorize()` records the one the client sent. */
  nonce: string | undefined
  /** The subject of every token from now on. */
  subject: string
  /** Follows an authorization URL as the provider would, returning the callback URL. */
  authorize(url: string): string
  /** A callback URL for an explicit state (for clients used without `authorize()`). */
  callback(state: string, redirectUri?: string): string
  /** Signs an ID token for the client, broken as `fault` says. */
  idToken(fault?: JwtFault, claims?: Record<string, unknown>): Promise<string>
  /** Signs an RFC 9068 access token for the audience, broken as `fault` says. */
  accessToken(fault?: JwtFault, claims?: Record<string, unknown>): Promise<string>
  /** Adds a new signing key (new `kid`) to the JWKS and signs with it from now on. */
  rotate(): Promise<void>
  /** Serves the provider on 127.0.0.1, on a free port; the issuer becomes that URL. */
  listen(): Promise<HostileServer>
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>

// RSA key generation is slow on a small machine: every provider shares the same two keys.
let issuerKey: Promise<KeyPair> | undefined
let foreignKey: Promise<KeyPair> | undefined
const sharedIssuerKey = () => (issuerKey ??= generateKeyPair('RS256', { extractable: true }))
const sharedForeignKey = () => (foreignKey ??= generateKeyPair('RS256', { extractable: true }))
let weakKey: { publicKey: KeyObject; privateKey: KeyObject } | undefined
// jose refuses to sign RS256 with a key under 2048 bits, so this one signs with node:crypto.
const sharedWeakKey = () => (weakKey ??= generateKeyPairSync('rsa', { modulusLength: 1024 }))
const WEAK_KID = 'weak-1024'

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * Creates a hostile provider. Every knob (`idTokenFault`, `tokenFault`...) can be changed
 * between requests, so one test sets up exactly one bad case.
 */
export async function createHostileProvider(
  options: HostileProviderOptions = {},
): Promise<HostileProvider> {
  let issuer = options.issuer ?? `https://hostile-${crypto.randomUUID()}.test`
  const clientId = options.clientId ?? 'app'
  const audience = options.audience ?? 'https://api.test'
  // Both keys exist before the first request, so no answer waits on key generation.
  let signing = await sharedIssuerKey()
  await sharedForeignKey()
  let kid = 'key-1'
  const publicJwk = async (): Promise<JWK> => ({
    ...(await exportJWK(signing.publicKey)),
    kid,
    alg: 'RS256',
    use: 'sig',
  })
  let jwks = [await publicJwk()]
  const now = () => Math.floor(Date.now() / 1000)
  const codes = new Set<string>()

  async function sign(
    base: Record<string, unknown>,
    fault: JwtFault | undefined,
    typ: string,
  ): Promise<string> {
    const t = now()
    const payload: Record<string, unknown> = { iss: issuer, iat: t, exp: t + 300, ...base }
    let header: Record<string, unknown> = { alg: 'RS256', kid, typ }
    switch (fault) {
      case 'wrong-iss':
        payload.iss = 'https://evil.test'
        break
      case 'wrong-aud':
        payload.aud = 'someone-else'
        break
      case 'multiple-aud-no-azp':
        payload.aud = [payload.aud, 'someone-else']
        delete payload.azp
        break
      case 'expired':
        payload.iat = t - 600
        payload.exp = t - 300
        break
      case 'future-iat':
        payload.iat = t + 120
        break
      case 'not-yet-valid':
        payload.nbf = t + 120
        break
      case 'missing-nonce':
        delete payload.nonce
        break
      case 'wrong-nonce':
        payload.nonce = 'another-nonce'
        break
      case 'missing-sub':
        delete payload.sub
        break
      case 'unknown-kid':
        header = { ...header, kid: 'unknown-kid' }
        break
      case 'wrong-typ':
        header = { ...header, typ: 'JWT' }
        break
    }
    for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key]
    if (fault === 'weak-rsa-key') {
      weakPublished = true
      const input = `${b64url({ alg: 'RS256', kid: WEAK_KID, typ })}.${b64url(payload)}`
      const signature = createSign('RSA-SHA256').update(input).sign(sharedWeakKey().privateKey)
      return `${input}.${signature.toString('base64url')}`
    }
    if (fault === 'embedded-jwk') {
      const foreign = await sharedForeignKey()
      const jwk = await exportJWK(foreign.publicKey)
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ, jwk })
        .sign(foreign.privateKey)
    }
    if (fault === 'jku-header') {
      header = { ...header, jku: 'https://evil.test/jwks' }
    }
    if (fault === 'alg-none') return `${b64url({ alg: 'none', typ })}.${b64url(payload)}.`
    if (fault === 'hs256-public-key') {
      const secret = new TextEncoder().encode(await exportSPKI(signing.publicKey))
      return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid, typ }).sign(secret)
    }
    const foreign = fault === 'bad-signature' || fault === 'jku-header'
    const key = foreign ? (await sharedForeignKey()).privateKey : signing.privateKey
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key)
  }

  // The weak key is published only once a token was signed with it.
  let weakPublished = false
  function weakJwks(): JWK[] {
    if (!weakPublished) return []
    const jwk = sharedWeakKey().publicKey.export({ format: 'jwk' }) as JWK
    return [{ ...jwk, kid: WEAK_KID, alg: 'RS256', use: 'sig' }]
  }

  function metadata(): Record<string, unknown> {
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      introspection_endpoint: `${issuer}/introspect`,
      device_authorization_endpoint: `${issuer}/device`,
      end_session_endpoint: `${issuer}/logout`,
      response_types_supported: ['code'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    }
  }

  async function token(request: Request): Promise<Response> {
    const params = new URLSearchParams(await request.text())
    const grant = params.get('grant_type') ?? ''
    provider.grants.push(grant)
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code' && provider.pendingPolls > 0) {
      provider.pendingPolls--
      return json({ error: 'authorization_pending' }, 400)
    }
    if (provider.tokenFault) return faulty(provider.tokenFault, request)
    if (grant === 'authorization_code') {
      const code = params.get('code') ?? ''
      if (!codes.delete(code)) return json({ error: 'invalid_grant' }, 400)
    }
    const body: Record<string, unknown> = {
      access_token: await provider.accessToken(provider.accessTokenFault),
      token_type: 'Bearer',
      expires_in: 300,
      scope: grant === 'client_credentials' ? 'api:read' : 'openid',
    }
    if (grant !== 'client_credentials') {
      body.refresh_token = `rt-${crypto.randomUUID()}`
      body.id_token = await provider.idToken(provider.idTokenFault)
    }
    return json(body)
  }

  const provider: HostileProvider = {
    get issuer() {
      return issuer
    },
    clientId,
    audience,
    redirectUri: 'https://app.test/callback',
    subject: 'alice',
    hits: {},
    grants: [],
    idTokenFault: undefined,
    accessTokenFault: undefined,
    tokenFault: undefined,
    discoveryFault: undefined,
    jwksFault: undefined,
    userinfoFault: undefined,
    introspectionFault: undefined,
    callbackFault: undefined,
    userinfoSub: 'alice',
    introspection: {},
    pendingPolls: 0,
    deviceInterval: 1,
    nonce: undefined,
    idToken(fault, claims = {}) {
      const base = { sub: provider.subject, aud: clientId, nonce: provider.nonce, ...claims }
      return sign(base, fault, 'JWT')
    },
    accessToken(fault, claims = {}) {
      const base = {
        sub: provider.subject,
        aud: audience,
        client_id: clientId,
        scope: 'api:read',
        jti: crypto.randomUUID(),
        ...claims,
      }
      return sign(base, fault, 'at+jwt')
    },
    authorize(url) {
      const request = new URL(url)
      provider.nonce = request.searchParams.get('nonce') ?? undefined
      return provider.callback(
        request.searchParams.get('state') ?? '',
        request.searchParams.get('redirect_uri') ?? provider.redirectUri,
      )
    },
    callback(state, redirectUri = provider.redirectUri) {
      const code = `code-${crypto.randomUUID()}`
      codes.add(code)
      const redirect = new URL(redirectUri)
      redirect.searchParams.set('code', code)
      redirect.searchParams.set(
        'state',
        provider.callbackFault === 'wrong-state' ? 'forged' : state,
      )
      if (provider.callbackFault === 'wrong-iss')
        redirect.searchParams.set('iss', 'https://evil.test')
      else if (provider.callbackFault !== 'missing-iss') redirect.searchParams.set('iss', issuer)
      return redirect.href
    },
    async rotate() {
      signing = await generateKeyPair('RS256', { extractable: true })
      kid = `key-${jwks.length + 1}`
      jwks = [...jwks, await publicJwk()]
    },
    async fetch(request) {
      const path = new URL(request.url).pathname
      provider.hits[path] = (provider.hits[path] ?? 0) + 1
      switch (path) {
        case '/.well-known/openid-configuration':
        case '/.well-known/oauth-authorization-server': {
          const fault = provider.discoveryFault
          if (fault === 'issuer-mismatch')
            return json({ ...metadata(), issuer: 'https://evil.test' })
          if (fault === 'insecure-endpoint')
            return json({ ...metadata(), token_endpoint: 'http://evil.test/token' })
          return fault ? faulty(fault, request) : json(metadata())
        }
        case '/jwks':
          if (provider.jwksFault) return faulty(provider.jwksFault, request)
          return json({ keys: [...jwks, ...weakJwks()] })
        case '/token':
          return token(request)
        case '/introspect': {
          if (provider.introspectionFault) return faulty(provider.introspectionFault, request)
          const t = now()
          const active = { active: true, iss: issuer, sub: provider.subject, aud: audience }
          const answer = { ...active, client_id: clientId, scope: 'api:read', exp: t + 300 }
          const body: Record<string, unknown> = { ...answer, ...provider.introspection }
          for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key]
          return json(body)
        }
        case '/userinfo':
          if (provider.userinfoFault) return faulty(provider.userinfoFault, request)
          return json({ sub: provider.userinfoSub, email: 'alice@example.com' })
        case '/device':
          return json({
            device_code: `device-${crypto.randomUUID()}`,
            user_code: 'BCDF-GHJK',
            verification_uri: `${issuer}/activate`,
            expires_in: 600,
            interval: provider.deviceInterval,
          })
        default:
          return json({ error: 'not_found' }, 404)
      }
    },
    async listen() {
      const server = await listenLoopback(provider.fetch)
      issuer = server.url
      return server
    },
  }
  return provider
}
