import type {
  ClientAuthMethod,
  GrantType,
  MockIdpClient,
  MockIdpConfig,
  MockIdpStorage,
  MockIdpUser,
  SigningAlg,
} from '../config.js'
import { defaultConfig } from '../default-config.js'
import { MockIdpConfigError } from '../errors.js'
import { closestName } from './suggest.js'

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  DEVICE_GRANT,
]
export const AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
]

export interface ResolvedClient {
  clientId: string
  name: string
  clientSecret: string | undefined
  tokenEndpointAuthMethod: ClientAuthMethod
  jwks: { keys: Record<string, unknown>[] } | undefined
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  grantTypes: GrantType[]
  scope: string[] | undefined
  audience: string | undefined
  resources: string[] | undefined
  webOrigins: string[]
  requirePkce: boolean
  applicationType: 'web' | 'native'
  serviceAccount: string | undefined
  backchannelLogoutUri: string | undefined
  backchannelLogoutSessionRequired: boolean
  isPublic: boolean
}

export interface ResolvedUser {
  sub: string
  username: string
  password: string
  claims: Record<string, unknown>
}

export interface ResolvedConfig {
  issuer: string
  issuerConfigured: boolean
  clients: Map<string, ResolvedClient>
  users: ResolvedUser[]
  accessTokenTtl: number
  idTokenTtl: number
  refreshTokenTtl: number
  refreshTokenIdleTtl: number
  sessionTtl: number
  deviceCodeTtl: number
  deviceCodeInterval: number
  keyRotationGrace: number
  signingAlg: SigningAlg
  autoLogin: boolean | string
  controlApi: boolean
  adminToken: string | undefined
  allowHttpRedirectUris: boolean
  storage: MockIdpStorage | undefined
  fetch: typeof fetch | undefined
}

function fail(message: string): never {
  throw new MockIdpConfigError(message)
}

// Typed against the interfaces, so a new option cannot be forgotten here.
const CONFIG_KEYS = Object.keys({
  issuer: true,
  clients: true,
  users: true,
  accessTokenTtl: true,
  idTokenTtl: true,
  refreshTokenTtl: true,
  refreshTokenIdleTtl: true,
  sessionTtl: true,
  deviceCodeTtl: true,
  deviceCodeInterval: true,
  keyRotationGrace: true,
  signingAlg: true,
  autoLogin: true,
  controlApi: true,
  adminToken: true,
  allowHttpRedirectUris: true,
  storage: true,
  fetch: true,
} satisfies Record<keyof MockIdpConfig, true>)
const CLIENT_KEYS = Object.keys({
  clientId: true,
  name: true,
  clientSecret: true,
  tokenEndpointAuthMethod: true,
  jwks: true,
  redirectUris: true,
  postLogoutRedirectUris: true,
  grantTypes: true,
  scope: true,
  audience: true,
  resources: true,
  webOrigins: true,
  requirePkce: true,
  applicationType: true,
  serviceAccount: true,
  backchannelLogoutUri: true,
  backchannelLogoutSessionRequired: true,
} satisfies Record<keyof MockIdpClient, true>)
const USER_KEYS = Object.keys({
  sub: true,
  username: true,
  password: true,
  claims: true,
} satisfies Record<keyof MockIdpUser, true>)

/**
 * Refuses a key mock-idp does not know, naming it, where it was, and the known key it is a typo
 * of: a misspelled option silently ignored would leave a default in place and hide the mistake.
 */
export function checkKeys(
  raw: Record<string, unknown>,
  known: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue
    const suggestion = closestName(key, known)
    const shown = JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key)
    throw new MockIdpConfigError(
      `unknown key ${shown} in ${where}${suggestion ? `; did you mean "${suggestion}"?` : `; known keys: ${known.join(', ')}`}`,
      { key, where, suggestion },
    )
  }
}

/** `client spa (clients[0])`, or `clients[0]` while the id is unknown. */
function describeEntry(raw: Record<string, unknown>, idKey: string, kind: string, at: string) {
  const id = raw[idKey]
  if (typeof id !== 'string' || id === '' || id.length > 100) return at
  return at === kind ? `${kind} ${id}` : `${kind} ${id} (${at})`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') fail(`${field} must be a non-empty string`)
  return value
}

/** RFC 6750 §2.1 b64token: what fits in `Authorization: Bearer <token>` as is. */
function adminToken(value: unknown): string | undefined {
  const token = optionalString(value, 'adminToken')
  if (token !== undefined && !/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    fail('adminToken must be a bearer token: letters, digits and -._~+/ only')
  }
  return token
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    fail(`${field} must be an array of non-empty strings`)
  }
  return [...(value as string[])]
}

function seconds(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1e9) {
    fail(`${field} must be a positive whole number of seconds`)
  }
  return value
}

/** Loopback hosts (RFC 8252 §7.3, §8.3): the only place plain http is allowed by default. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  )
}

function checkIssuer(value: unknown): string {
  const issuer = optionalString(value, 'issuer') ?? defaultConfig().issuer
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    fail(`issuer ${JSON.stringify(issuer)} is not an absolute URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('issuer must be http(s)')
  if (url.search || url.hash || issuer.includes('#') || issuer.includes('?')) {
    fail('issuer must have no query or fragment')
  }
  if (issuer.endsWith('/')) fail(`issuer must not end with a slash: ${issuer}`)
  return issuer
}

function checkRedirectUri(uri: string, field: string, allowHttp: boolean): void {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    fail(`${field}: ${JSON.stringify(uri)} is not an absolute URL`)
  }
  // AS-1: scheme allow-list instead of a deny-list regex (oauth2-server GHSA-4rg6-fm25-gc34).
  if (uri.includes('#')) fail(`${field}: ${uri} must not contain a fragment`)
  if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(url.protocol)) {
    fail(`${field}: the ${url.protocol} scheme is not allowed`)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowHttp) {
    fail(
      `${field}: ${uri} uses http on a non-loopback host (set allowHttpRedirectUris to allow it)`,
    )
  }
}

function resolveClient(raw: unknown, index: number, allowHttp: boolean): ResolvedClient {
  const at = `clients[${index}]`
  if (!isObject(raw)) fail(`${at} must be an object`)
  checkKeys(raw, CLIENT_KEYS, describeEntry(raw, 'clientId', 'client', at))
  const clientId =
    optionalString(raw.clientId, `${at}.clientId`) ?? fail(`${at}.clientId is required`)
  const where = `client ${clientId}`
  const clientSecret = optionalString(raw.clientSecret, `${where}: clientSecret`)
  let jwks: ResolvedClient['jwks']
  if (raw.jwks !== undefined) {
    if (!isObject(raw.jwks) || !Array.isArray(raw.jwks.keys))
      fail(`${where}: jwks must be { keys: [...] }`)
    jwks = raw.jwks as ResolvedClient['jwks']
  }
  const method = (optionalString(
    raw.tokenEndpointAuthMethod,
    `${where}: tokenEndpointAuthMethod`,
  ) ??
    (clientSecret ? 'client_secret_basic' : jwks ? 'private_key_jwt' : 'none')) as ClientAuthMethod
  if (!AUTH_METHODS.includes(method)) fail(`${where}: unknown tokenEndpointAuthMethod ${method}`)
  const isPublic = method === 'none'
  if (isPublic && clientSecret)
    fail(`${where}: a public client (none) must not have a clientSecret`)
  if (method.startsWith('client_secret') && !clientSecret)
    fail(`${where}: ${method} needs a clientSecret`)
  if (method === 'private_key_jwt' && !jwks) fail(`${where}: private_key_jwt needs jwks`)

  const redirectUris = stringList(raw.redirectUris, `${where}: redirectUris`) ?? []
  for (const uri of redirectUris) checkRedirectUri(uri, `${where}: redirectUris`, allowHttp)
  const postLogoutRedirectUris =
    stringList(raw.postLogoutRedirectUris, `${where}: postLogoutRedirectUris`) ?? []
  for (const uri of postLogoutRedirectUris) {
    checkRedirectUri(uri, `${where}: postLogoutRedirectUris`, allowHttp)
  }

  const grantTypes = (stringList(raw.grantTypes, `${where}: grantTypes`) ??
    (redirectUris.length > 0
      ? ['authorization_code', 'refresh_token']
      : isPublic
        ? [DEVICE_GRANT, 'refresh_token']
        : ['client_credentials'])) as GrantType[]
  for (const grant of grantTypes) {
    if (!GRANT_TYPES.includes(grant)) {
      fail(`${where}: grant type ${grant} is not supported (implicit and password never are)`)
    }
  }
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    fail(`${where}: authorization_code needs at least one redirect URI`)
  }
  if (grantTypes.includes('client_credentials') && isPublic) {
    fail(`${where}: client_credentials needs a confidential client`)
  }

  const webOrigins =
    stringList(raw.webOrigins, `${where}: webOrigins`) ??
    [...new Set(redirectUris.map((uri) => new URL(uri).origin))].filter((o) => o !== 'null')
  const resources = stringList(raw.resources, `${where}: resources`)
  for (const resource of resources ?? []) {
    if (!isAbsoluteUri(resource)) fail(`${where}: resource ${resource} must be an absolute URI`)
  }
  const scope = optionalString(raw.scope, `${where}: scope`)
  if (raw.requirePkce !== undefined && typeof raw.requirePkce !== 'boolean') {
    fail(`${where}: requirePkce must be a boolean`)
  }
  const backchannelLogoutUri = optionalString(
    raw.backchannelLogoutUri,
    `${where}: backchannelLogoutUri`,
  )
  if (backchannelLogoutUri !== undefined) {
    checkRedirectUri(backchannelLogoutUri, `${where}: backchannelLogoutUri`, allowHttp)
    if (!/^https?:/.test(backchannelLogoutUri)) {
      fail(`${where}: backchannelLogoutUri must be an http(s) URL`)
    }
  }
  if (
    raw.backchannelLogoutSessionRequired !== undefined &&
    typeof raw.backchannelLogoutSessionRequired !== 'boolean'
  ) {
    fail(`${where}: backchannelLogoutSessionRequired must be a boolean`)
  }
  const applicationType = raw.applicationType ?? 'web'
  if (applicationType !== 'web' && applicationType !== 'native') {
    fail(`${where}: applicationType must be web or native`)
  }
  return {
    clientId,
    name: optionalString(raw.name, `${where}: name`) ?? clientId,
    clientSecret,
    tokenEndpointAuthMethod: method,
    jwks,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    scope: scope?.split(' ').filter(Boolean),
    audience: optionalString(raw.audience, `${where}: audience`),
    resources,
    webOrigins,
    requirePkce: raw.requirePkce !== false,
    applicationType,
    serviceAccount: optionalString(raw.serviceAccount, `${where}: serviceAccount`),
    backchannelLogoutUri,
    backchannelLogoutSessionRequired: raw.backchannelLogoutSessionRequired !== false,
    isPublic,
  }
}

/** An absolute URI without a fragment (RFC 8707 §2). */
export function isAbsoluteUri(value: string): boolean {
  if (value.includes('#')) return false
  try {
    new URL(value)
    return /^[a-z][a-z0-9+.-]*:/i.test(value)
  } catch {
    return false
  }
}

/** Validates and normalizes a user; shared by config and the add/update control. */
export function resolveUser(raw: unknown, at: string): ResolvedUser {
  if (!isObject(raw)) fail(`${at} must be an object`)
  checkKeys(raw, USER_KEYS, describeEntry(raw, 'username', 'user', at))
  const username =
    optionalString(raw.username, `${at}.username`) ?? fail(`${at}.username is required`)
  const where = `user ${username}`
  const password =
    optionalString(raw.password, `${where}: password`) ?? fail(`${where}: password is required`)
  const sub = optionalString(raw.sub, `${where}: sub`) ?? `user-${username}`
  if (raw.claims !== undefined && !isObject(raw.claims)) fail(`${where}: claims must be an object`)
  const claims = { ...((raw.claims as Record<string, unknown> | undefined) ?? {}) }
  for (const reserved of ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'azp']) {
    if (reserved in claims) fail(`${where}: claims must not set ${reserved}`)
  }
  return { sub, username, password, claims }
}

function fetchOption(value: unknown): typeof fetch | undefined {
  if (value !== undefined && typeof value !== 'function') fail('fetch must be a function')
  return value as typeof fetch | undefined
}

/**
 * Checks a config and fills in defaults; throws {@link MockIdpConfigError} naming the field.
 */
export function resolveConfig(input: MockIdpConfig = {}): ResolvedConfig {
  if (!isObject(input)) fail('the config must be an object')
  checkKeys(input as Record<string, unknown>, CONFIG_KEYS, 'the config')
  const defaults = defaultConfig()
  const allowHttp = input.allowHttpRedirectUris === true
  const clients = new Map<string, ResolvedClient>()
  const rawClients: unknown = input.clients ?? defaults.clients
  if (!Array.isArray(rawClients)) fail('clients must be an array')
  rawClients.forEach((raw, index) => {
    const client = resolveClient(raw, index, allowHttp)
    if (clients.has(client.clientId)) fail(`client ${client.clientId} is listed twice`)
    clients.set(client.clientId, client)
  })
  const rawUsers: unknown = input.users ?? defaults.users
  if (!Array.isArray(rawUsers)) fail('users must be an array')
  const users = rawUsers.map((raw, index) => resolveUser(raw, `users[${index}]`))
  const usernames = new Set<string>()
  const subs = new Set<string>()
  for (const user of users) {
    if (usernames.has(user.username)) fail(`user ${user.username} is listed twice`)
    if (subs.has(user.sub)) fail(`sub ${user.sub} belongs to two users`)
    usernames.add(user.username)
    subs.add(user.sub)
  }
  for (const client of clients.values()) {
    // S-15: a client-credentials token's sub is the client_id, so it must never name a user.
    if (subs.has(client.clientId)) fail(`client ${client.clientId} has the same id as a user's sub`)
    if (client.serviceAccount && !usernames.has(client.serviceAccount)) {
      fail(`client ${client.clientId}: serviceAccount ${client.serviceAccount} is not a user`)
    }
  }
  const signingAlg = input.signingAlg ?? 'RS256'
  if (signingAlg !== 'RS256' && signingAlg !== 'ES256') fail('signingAlg must be RS256 or ES256')
  const autoLogin = input.autoLogin ?? false
  if (typeof autoLogin !== 'boolean' && typeof autoLogin !== 'string') {
    fail('autoLogin must be a boolean or a username')
  }
  if (typeof autoLogin === 'string' && !usernames.has(autoLogin)) {
    fail(`autoLogin: ${autoLogin} is not a user`)
  }
  return {
    issuer: checkIssuer(input.issuer),
    issuerConfigured: input.issuer !== undefined,
    clients,
    users,
    accessTokenTtl: seconds(input.accessTokenTtl, 'accessTokenTtl', 3600),
    idTokenTtl: seconds(input.idTokenTtl, 'idTokenTtl', 3600),
    refreshTokenTtl: seconds(input.refreshTokenTtl, 'refreshTokenTtl', 30 * 86400),
    refreshTokenIdleTtl: seconds(input.refreshTokenIdleTtl, 'refreshTokenIdleTtl', 7 * 86400),
    sessionTtl: seconds(input.sessionTtl, 'sessionTtl', 8 * 3600),
    deviceCodeTtl: seconds(input.deviceCodeTtl, 'deviceCodeTtl', 600),
    deviceCodeInterval: seconds(input.deviceCodeInterval, 'deviceCodeInterval', 5),
    keyRotationGrace: seconds(input.keyRotationGrace, 'keyRotationGrace', 86400),
    signingAlg,
    autoLogin,
    controlApi: input.controlApi === true,
    adminToken: adminToken(input.adminToken),
    allowHttpRedirectUris: allowHttp,
    storage: input.storage as MockIdpStorage | undefined,
    fetch: fetchOption(input.fetch),
  }
}
