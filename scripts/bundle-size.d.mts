/** Sizes in bytes of one minified browser bundle. */
export interface BundleSize {
  minified: number
  gzip: number
  brotli: number
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
