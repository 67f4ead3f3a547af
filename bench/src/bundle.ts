import { budgets, fixtures, measureBundle, type BundleSize } from '../../scripts/bundle-size.mjs'
import { makeFigure, type Figure } from './figure.js'

const APPS = {
  '@oidckit/browser-pkce': fixtures.browserPkce,
  'oidc-client-ts': fixtures.oidcClientTs,
  '@auth0/auth0-spa-js': fixtures.auth0SpaJs,
  '@oidckit/react': fixtures.react,
  'react-oidc-context': fixtures.reactOidcContext,
  '@auth0/auth0-react': fixtures.auth0React,
} as const

type App = keyof typeof APPS

/**
 * Bundle size of a minimal login app (create the client, log in, handle the callback, get a
 * token) per library: esbuild, minified ESM for browsers, React external; oidckit from its
 * sources (`@oidckit/source`). Sizes are deterministic, so each is measured once.
 */
export async function benchBundle(): Promise<Figure[]> {
  const sizes = {} as Record<App, BundleSize>
  for (const [name, entry] of Object.entries(APPS)) sizes[name as App] = await measureBundle(entry)
  const figures: Figure[] = []
  const unit = 'bytes'
  const one = (n: number) => [n]
  for (const [name, size] of Object.entries(sizes) as [App, BundleSize][]) {
    const react = name.includes('react')
    const anchorName = react ? 'react-oidc-context' : 'oidc-client-ts'
    const anchor = name === anchorName ? undefined : sizes[anchorName]
    figures.push(
      makeFigure({ name: `${name} minified`, unit, samples: one(size.minified) }),
      makeFigure({
        name: `${name} gzip`,
        unit,
        samples: one(size.gzip),
        anchor: anchor && { name: `${anchorName} gzip`, samples: one(anchor.gzip) },
        target:
          name === '@oidckit/browser-pkce'
            ? { on: 'median', op: '<=', value: budgets.browserPkce }
            : undefined,
        note: name === '@oidckit/browser-pkce' ? 'with @oidckit/core' : undefined,
      }),
      makeFigure({ name: `${name} brotli`, unit, samples: one(size.brotli) }),
    )
  }
  const smallestOther = Math.min(sizes['react-oidc-context'].gzip, sizes['@auth0/auth0-react'].gzip)
  figures.push(
    makeFigure({
      name: '@oidckit/react over browser-pkce, gzip',
      unit,
      samples: one(sizes['@oidckit/react'].gzip - sizes['@oidckit/browser-pkce'].gzip),
      target: { on: 'median', op: '<=', value: budgets.reactOverBrowserPkce },
    }),
    makeFigure({
      name: '@oidckit/react gzip vs smallest other React row',
      unit,
      samples: one(sizes['@oidckit/react'].gzip),
      anchor: {
        name:
          smallestOther === sizes['react-oidc-context'].gzip
            ? 'react-oidc-context gzip'
            : '@auth0/auth0-react gzip',
        samples: one(smallestOther),
      },
      target: { on: 'ratio', op: '<', value: 1 },
    }),
  )
  return figures
}
