/** The demo provider and client `pnpm start` runs: mock-idp's public device client. */
export const DEFAULT_ISSUER = 'http://localhost:9400'
export const DEFAULT_CLIENT_ID = 'cli'
export const DEFAULT_SCOPE = 'openid profile email offline_access'

export interface Settings {
  issuer: string
  clientId: string
  scope: string
}

type Env = Record<string, string | undefined>

/** Options first, then `OIDCKIT_ISSUER` / `OIDCKIT_CLIENT_ID` / `OIDCKIT_SCOPE`, then the demo client. */
export function resolveSettings(
  options: {
    issuer?: string | undefined
    clientId?: string | undefined
    scope?: string | undefined
  },
  env: Env,
): Settings {
  return {
    issuer: options.issuer ?? nonEmpty(env.OIDCKIT_ISSUER) ?? DEFAULT_ISSUER,
    clientId: options.clientId ?? nonEmpty(env.OIDCKIT_CLIENT_ID) ?? DEFAULT_CLIENT_ID,
    scope: normalizeScope(options.scope ?? nonEmpty(env.OIDCKIT_SCOPE) ?? DEFAULT_SCOPE),
  }
}

/** Scope tokens deduplicated and sorted, so `b a  a` and `a b` name one store entry. */
export function normalizeScope(scope: string): string {
  return [...new Set(scope.split(/\s+/).filter(Boolean))].sort().join(' ')
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
