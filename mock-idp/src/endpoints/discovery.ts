import { CLAIMS_SUPPORTED } from '../claims.js'
import type { IdpContext } from '../internal/context.js'
import { jsonResponse, ProtocolError } from '../internal/protocol-error.js'
import { AUTH_METHODS, GRANT_TYPES } from '../internal/resolve-config.js'
import { OIDC_SCOPES } from '../internal/scope.js'

/**
 * The discovery document (OIDC Discovery §3, RFC 8414 §2), the same at both well-known paths.
 * Every value is one mock-idp really honours.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function discoveryDocument(ctx: IdpContext): Record<string, unknown> {
  const issuer = ctx.config.issuer
  const clientScopes = [...ctx.clients.values()].flatMap((client) => client.scope ?? [])
  const authMethods = [...AUTH_METHODS]
  const confidentialMethods = authMethods.filter((method) => method !== 'none')
  const assertionAlgs = ['RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA']
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    jwks_uri: `${issuer}/.well-known/jwks`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    device_authorization_endpoint: `${issuer}/oauth/device/code`,
    end_session_endpoint: `${issuer}/oauth/logout`,
    scopes_supported: [...new Set([...OIDC_SCOPES, ...clientScopes])],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...GRANT_TYPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ctx.config.signingAlg],
    token_endpoint_auth_methods_supported: authMethods,
    token_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    introspection_endpoint_auth_methods_supported: confidentialMethods,
    introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    revocation_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    code_challenge_methods_supported: ['S256'],
    claims_supported: CLAIMS_SUPPORTED,
    claim_types_supported: ['normal'],
    prompt_values_supported: ['none', 'login'],
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    userinfo_signing_alg_values_supported: [],
  }
}

/** Refuses any method but GET and HEAD with 405. */
export function requireGet(request: Request): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new ProtocolError('invalid_request', 'this endpoint takes GET', 405, { allow: 'GET' })
  }
}

/** Serves {@link discoveryDocument} at both well-known paths. */
export function discoveryEndpoint(ctx: IdpContext, request: Request): Response {
  requireGet(request)
  return jsonResponse(discoveryDocument(ctx), 200, { 'cache-control': 'no-cache' })
}
