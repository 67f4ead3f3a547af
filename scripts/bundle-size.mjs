// Bundles a fixture app for the browser and measures it: minified, gzip and brotli bytes.
// Shared by the benchmarks (bench/src/bundle.ts) and the lint-time budget (check-size.mjs).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * The fixture apps, bundled by both the benchmarks and `check-size.mjs`: oidckit's, and the
 * same app with the libraries it is compared with (installed as devDependencies of bench/).
 */
export const fixtures = {
  browserPkce: path.join(root, 'scripts/size/browser-pkce.js'),
  react: path.join(root, 'scripts/size/react.jsx'),
  oidcClientTs: path.join(root, 'bench/fixtures/oidc-client-ts.js'),
  reactOidcContext: path.join(root, 'bench/fixtures/react-oidc-context.jsx'),
  auth0SpaJs: path.join(root, 'bench/fixtures/auth0-spa-js.js'),
  auth0React: path.join(root, 'bench/fixtures/auth0-react.jsx'),
}

/** The budgets of DESIGN.md (Performance), in gzip bytes. */
export const budgets = { browserPkce: 13 * 1024, reactOverBrowserPkce: 1.5 * 1024 }

// A fixture imports `@oidckit/<name>` as an app would; it is resolved from inside that
// workspace package (a self-reference), so its exports map and conditions apply and no
// install outside the package is needed.
const workspacePackages = {
  name: 'oidckit-workspace',
  setup(build) {
    build.onResolve({ filter: /^@oidckit\/[a-z-]+$/ }, (args) => {
      if (args.pluginData?.workspace) return undefined
      const name = args.path.slice('@oidckit/'.length)
      const dir = path.join(root, name === 'mock-idp' ? 'mock-idp' : `packages/${name}`)
      return build.resolve(args.path, {
        kind: args.kind,
        resolveDir: dir,
        pluginData: { workspace: true },
      })
    })
  },
}

/**
 * Bundles `entry` (minified ESM for browsers, `react`/`react-dom` external) and returns its
 * sizes in bytes.
 *
 * @param {string} entry the fixture file
 * @param {{ source?: boolean }} [options] `source: true` bundles oidckit from `src/` through the
 *   `@oidckit/source` condition; otherwise from the built `dist/`.
 * @returns {Promise<{ minified: number, gzip: number, brotli: number }>}
 */
export async function measureBundle(entry, { source = true } = {}) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['react', 'react-dom', 'react/jsx-runtime'],
    jsx: 'automatic',
    conditions: source ? ['@oidckit/source'] : [],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [workspacePackages],
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    }).length,
  }
}
