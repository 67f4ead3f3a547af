/**
 * Sizes in bytes of a minified browser app: what the page loads first (the entry chunk and its
 * static imports), and each chunk loaded by a dynamic `import()`.
 */
export interface BundleSize {
  minified: number
  gzip: number
  brotli: number
  lazy: { name: string; minified: number; gzip: number }[]
}

export const root: string
export const fixtures: {
  browserPkce: string
  react: string
  oidcClientTs: string
  reactOidcContext: string
  auth0SpaJs: string
  auth0React: string
}
export const budgets: { browserPkce: number; reactOverBrowserPkce: number }
export function measureBundle(entry: string, options?: { source?: boolean }): Promise<BundleSize>
