import type { Params } from './params.js'
import { ProtocolError } from './protocol-error.js'
import { isAbsoluteUri, type ResolvedClient } from './resolve-config.js'

/** Scopes every client may request. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access']

/** Splits a scope parameter (RFC 6749 §3.3), refusing characters outside the scope-token set. */
export function parseScope(value: string | undefined): string[] {
  if (value === undefined) return []
  if (!/^[\x21\x23-\x5b\x5d-\x7e ]*$/.test(value)) {
    throw new ProtocolError('invalid_scope', 'scope contains characters RFC 6749 §3.3 forbids')
  }
  return [...new Set(value.split(' ').filter(Boolean))]
}

/**
 * Checks requested scopes against what the client may ask for: the OpenID scopes plus its
 * `scope` list; a client without a list may ask for any scope.
 */
export function checkScopeAllowed(client: ResolvedClient, scope: string[]): void {
  if (!client.scope) return
  const allowed = new Set([...OIDC_SCOPES, ...client.scope])
  const extra = scope.filter((s) => !allowed.has(s))
  if (extra.length > 0) {
    throw new ProtocolError(
      'invalid_scope',
      `scope not allowed for this client: ${extra.join(' ')}`,
    )
  }
}

/** RFC 8707 §2: an absolute URI without a fragment, among the client's `resources` if it lists any. */
export function checkResource(client: ResolvedClient, params: Params): string | undefined {
  const resource = params.get('resource')
  if (resource === undefined) return undefined
  if (!isAbsoluteUri(resource)) {
    throw new ProtocolError('invalid_target', 'resource must be an absolute URI without a fragment')
  }
  if (client.resources && !client.resources.includes(resource)) {
    throw new ProtocolError('invalid_target', 'resource is not allowed for this client')
  }
  return resource
}
