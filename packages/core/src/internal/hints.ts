// The long part of error messages: what to check, what to do. Development-only, so a production
// bundle carries the code and the one-line message of every error and none of this text.

const CLAIM_NAMES: Record<string, string> = {
  iss: 'issuer',
  aud: 'audience',
  azp: 'authorized party',
  exp: 'expiration time',
  iat: 'issued-at time',
  nbf: 'not-before time',
  nonce: 'nonce',
  sub: 'subject',
  auth_time: 'authentication time',
}

function oauthError(error: string): string {
  switch (error) {
    case 'invalid_client':
      return ' Check the client ID, the client secret or key, and `tokenEndpointAuthMethod`.'
    case 'invalid_grant':
      return ' The code or refresh token is expired, used or revoked: sign the user in again.'
    case 'invalid_scope':
      return ' Request only scopes this client is registered for.'
    case 'unauthorized_client':
      return ' This client is not allowed to use this grant; check its registration.'
    case 'access_denied':
      return ' The user or the server declined the request.'
    case 'invalid_token':
    case 'unauthorized':
      return ' Check the token or the client credentials.'
    default:
      return ''
  }
}

function issuerMismatch(expected: string, actual: string): string {
  return ` It must equal the issuer it was fetched for (OIDC Discovery §4.3).${issuerDifference(expected, actual)}`
}

function issuerDifference(expected: string, actual: string): string {
  const strip = (value: string) => value.replace(/\/+$/, '')
  if (strip(expected) === strip(actual))
    return ' They differ only by a trailing slash: pass the issuer exactly as the provider advertises it.'
  if (expected.toLowerCase() === actual.toLowerCase())
    return ' They differ only in letter case: issuer comparison is exact.'
  let a: URL, b: URL
  try {
    a = new URL(expected)
    b = new URL(actual)
  } catch {
    return ' The advertised issuer is not a valid URL: the provider is misconfigured.'
  }
  if (a.protocol !== b.protocol)
    return ` The provider advertises ${b.protocol} instead of ${a.protocol}: a TLS-terminating proxy may hide the scheme from it.`
  if (a.host !== b.host)
    return ` The provider advertises a different host (${b.host}): check the issuer URL, or the provider's public hostname setting behind a proxy.`
  return ` The provider advertises a different path (${b.pathname}): multi-tenant providers need the full issuer, e.g. including the realm or tenant.`
}

const hints = {
  oauthError,
  issuerMismatch,
  claim: (claim: string, expected?: unknown) =>
    ` "${claim}"${CLAIM_NAMES[claim] ? ` (${CLAIM_NAMES[claim]})` : ''} failed validation${expected === undefined ? '' : ` (expected ${JSON.stringify(expected)})`} and the token was rejected. Check the client and issuer configuration, or sign in again.`,
  timeout: () => ' Check that the server is up and reachable, or raise the `timeout` option.',
  connection: () => ' Check the URL, DNS and that the server is running.',
  bodyRead: () => ' Retry; if it persists, check the server or a proxy in between.',
  redirect: () =>
    ' Redirects from authorization server endpoints are not followed (RFC 9700 §4.11): configure the exact endpoint or issuer URL.',
  serverError: () => " Retry later, or check the server's logs.",
  tooLarge: () =>
    ' Check the URL; raise `maxResponseBytes` only if the provider really sends documents this large.',
  notJson: (html: boolean) =>
    `${html ? ' An HTML page is often a login page, a proxy error page, or the wrong URL.' : ''} Check the issuer URL and that nothing in between rewrites the answer.`,
  malformedJson: () =>
    ' It is declared JSON but does not parse (malformed or truncated): check the server or a proxy in between.',
  future: (ahead: number, tolerance: number) =>
    ` It is ${ahead} s ahead, beyond the ${tolerance} s clock tolerance. Check the clocks of this machine and the provider.`,
  reserved: () => ' Do not pass it as an extra parameter.',
  unexpectedStatus: () => " Check the endpoint URL and the provider's logs.",
  insecure: () => ' Use https; for local development only, set `allowInsecure: true`.',
  insecureMetadata: () =>
    " Fix the provider's public URL; for local development only, set `allowInsecure: true`.",
  unsupported: () => ' The provider does not support this operation.',
  nonConforming: () => ' Check that the issuer is an OAuth 2 / OpenID provider.',
  signingConfig: () => " Check the provider's signing configuration.",
  asymmetric: () => " It must be an asymmetric signature from the issuer's JWKS.",
  codeFlow: () => ' Only the authorization code flow is accepted: use response_type=code.',
  tokenType: () => ' Only Bearer and DPoP are accepted.',
  algorithm: (expected: unknown) =>
    ` Expected ${JSON.stringify(expected)}: set \`idTokenSigningAlg\` if the provider was registered with another algorithm.`,
  subject: (expected: unknown) =>
    ` Expected ${JSON.stringify(expected)}; the response was discarded.`,
  expired: () =>
    ' Its "exp" is in the past, beyond the clock tolerance: check the clocks of this machine and the provider, or sign in again.',
  missingKid: () => ' The provider must set a kid.',
  unknownKey: () =>
    ' None has its "kid" and algorithm, even after refetching the JWKS: the token was not signed by this issuer\'s current keys.',
  forged: () => ' It was forged or altered, and was rejected.',
  swapped: () => ' The access token was swapped; both were rejected.',
  mixUp: (missing: boolean) =>
    missing
      ? ' The provider advertises authorization_response_iss_parameter_supported: possible mix-up attack.'
      : ' The response came from another authorization server (mix-up attack).',
  csrf: (missing: boolean) =>
    missing
      ? ' It was not started by this client. Start a new login.'
      : ' It was not started by this browser session (CSRF). Start a new login.',
  sameSession: () => ' It does not describe the same user and session. Sign the user in again.',
  par: () => ' Use `await client.createAuthorizationUrl(...)` or `pushAuthorizationRequest()`.',
  deviceExpired: () => ' Start a new device login.',
  credentials: () =>
    ' A configuration takes no `clientSecret`, `privateKey` or `tokenEndpointAuthMethod`: use `createClientAuthentication({ clientSecret })` (or `privateKey`).',
}

/** The name of a development-only hint. */
export type Hint = keyof typeof hints

/**
 * `message` with the development-only hint `hint` appended. In a production build
 * (`process.env.NODE_ENV === 'production'`, which bundlers replace) it is `message` alone, and
 * the text above is left out of the bundle.
 */
export function withHint<H extends Hint>(
  message: string,
  hint: H,
  ...args: Parameters<(typeof hints)[H]>
): string {
  // eslint-disable-next-line no-restricted-globals -- the one use: bundlers replace it, and the typeof guard keeps core runtime-neutral
  if (typeof process !== 'undefined' && process.env.NODE_ENV !== 'production') {
    return message + (hints[hint] as (...values: unknown[]) => string)(...args)
  }
  return message
}
