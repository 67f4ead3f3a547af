import { assertOptionalString, assertString } from './assert.js'

/** The `scope` and RFC 8707 `resource` parameters of a token request. */
export function scopeAndResource(scope: unknown, resource: unknown): URLSearchParams {
  const parameters = new URLSearchParams()
  assertOptionalString(scope, '`scope`')
  if (scope) parameters.set('scope', scope)
  for (const value of [resource ?? []].flat()) {
    assertString(value, '`resource`')
    parameters.append('resource', value)
  }
  return parameters
}

/** The RFC 7009 / RFC 7662 `token_type_hint` parameter. */
export function tokenTypeHint(hint: string | undefined): Record<string, string> | undefined {
  assertOptionalString(hint, '`tokenTypeHint`')
  return hint ? { token_type_hint: hint } : undefined
}
