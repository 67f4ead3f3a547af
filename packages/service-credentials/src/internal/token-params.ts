import { argumentError } from './assert.js'

/** What one token request asks for, normalised, and the cache key it is stored under. */
export interface TokenParams {
  readonly scope: string | undefined
  readonly resource: readonly string[]
  readonly key: string
}

/**
 * Normalises a scope given as a space-separated string or a list: duplicates dropped and sorted,
 * since RFC 6749 §3.3 makes scope order insignificant, so `b a` and `a b` share one cache entry.
 */
export function normalizeScope(scope: unknown): string | undefined {
  if (scope === undefined) return undefined
  const list = typeof scope === 'string' ? scope.split(/\s+/) : scope
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw argumentError('ERR_INVALID_ARG_TYPE', '`scope` must be a string or an array of strings.')
  }
  const tokens = [...new Set(list.filter((item) => item !== ''))].sort()
  for (const token of tokens) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(token)) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `\`scope\` contains ${JSON.stringify(token)}, which is not a valid scope token (RFC 6749 §3.3).`,
      )
    }
  }
  return tokens.length === 0 ? undefined : tokens.join(' ')
}

/** Normalises RFC 8707 resource indicators: absolute URIs without a fragment, sorted. */
export function normalizeResource(resource: unknown, name = '`resource`'): string[] {
  if (resource === undefined) return []
  const list = typeof resource === 'string' ? [resource] : resource
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a string or an array of strings.`)
  }
  for (const value of list) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `${name} ${JSON.stringify(value)} is not an absolute URI (RFC 8707 §2), e.g. https://api.example.com.`,
      )
    }
    if (url.hash !== '' || value.includes('#')) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        `${name} ${JSON.stringify(value)} must not contain a fragment (RFC 8707 §2).`,
      )
    }
  }
  return [...new Set(list)].sort()
}

/** Picks `resource`, or its alias `audience`; refuses both when they differ. */
export function pickResource(resource: unknown, audience: unknown): string[] {
  const fromResource = normalizeResource(resource)
  const fromAudience = normalizeResource(audience, '`audience`')
  if (resource !== undefined && audience !== undefined) {
    if (fromResource.join(' ') !== fromAudience.join(' ')) {
      throw argumentError(
        'ERR_INVALID_ARG_VALUE',
        '`resource` and `audience` name the same thing (the RFC 8707 resource); pass one of them.',
      )
    }
  }
  return resource !== undefined ? fromResource : fromAudience
}

export function tokenParams(scope: string | undefined, resource: readonly string[]): TokenParams {
  return { scope, resource, key: `${scope ?? ''}\u0000${resource.join('\u0000')}` }
}
