// Bundles a fixture app for the browser and measures what it loads first: minified, gzip and
// brotli bytes, and the lazily loaded chunks apart.
// Shared by the benchmarks (bench/src/bundle.ts) and the lint-time budget (check-size.mjs).
import { tmpdir } from 'node:os'
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

// Leaves each dynamic `import()` out of the bundle: what the page loads first.
const lazyImportsExternal = {
  name: 'lazy-imports-external',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    )
  },
}

/**
 * Bundles `entry` as a Vite app ships it (minified ESM for browsers, `react`/`react-dom`
 * external) and returns the sizes of what the page loads first: everything `entry` imports
 * statically, one file. Code loaded by a dynamic `import()` is left out of it and listed in
 * `lazy`, one entry per chunk of an esbuild build with code splitting (the chunk and the chunks
 * only it needs). Why not esbuild's split entry chunk itself: esbuild assigns whole files to
 * chunks by import reachability, so a module re-exported by a package index the entry imports
 * stays in a chunk the entry loads even when only a lazy chunk uses it, and code the entry shares
 * with a lazy chunk goes to a third file; Rollup, under Vite, tree-shakes per chunk and keeps that
 * shared code in the entry chunk, as this bundle does. (Rollup keeps a module whole in one chunk:
 * the functions of a single-file library such as oauth4webapi that only a lazy chunk calls still
 * ship in the entry chunk there, and are left out here.)
 *
 * @param {string} entry the fixture file
 * @param {{ source?: boolean }} [options] `source: true` bundles oidckit from `src/` through the
 *   `@oidckit/source` condition; otherwise from the built `dist/`.
 * @returns {Promise<import('./bundle-size.d.mts').BundleSize>}
 */
export async function measureBundle(entry, { source = true } = {}) {
  const options = {
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
    logLevel: 'silent',
  }
  const [initial, split] = await Promise.all([
    esbuild.build({ ...options, plugins: [lazyImportsExternal, workspacePackages] }),
    esbuild.build({
      ...options,
      plugins: [workspacePackages],
      metafile: true,
      splitting: true,
      // Nothing is written (`write: false`); the directory only names the chunks.
      outdir: path.join(tmpdir(), 'oidckit-size'),
    }),
  ])
  return {
    ...sizes(initial.outputFiles[0].contents),
    lazy: lazyChunks(split, path.relative(process.cwd(), entry).split(path.sep).join('/')),
  }
}

/** The chunks of a split build that a dynamic `import()` loads, with the chunks only they need. */
function lazyChunks(result, entry) {
  const outputs = new Map(
    result.outputFiles.map((file) => [
      path.relative(process.cwd(), file.path).split(path.sep).join('/'),
      file.contents,
    ]),
  )
  const meta = result.metafile.outputs
  const closure = (from, loaded) => {
    const chunks = new Set()
    const visit = (name) => {
      if (chunks.has(name) || loaded.has(name) || !meta[name]) return
      chunks.add(name)
      for (const next of meta[name].imports) if (next.kind === 'import-statement') visit(next.path)
    }
    visit(from)
    return chunks
  }
  const entryChunk = Object.keys(meta).find((name) => meta[name].entryPoint === entry)
  const first = closure(entryChunk, new Set())
  const lazy = new Set(
    [...first].flatMap((name) =>
      meta[name].imports.filter((next) => next.kind === 'dynamic-import').map((next) => next.path),
    ),
  )
  return [...lazy].map((name) => {
    const code = Buffer.concat([...closure(name, first)].map((chunk) => outputs.get(chunk)))
    return {
      name: path.basename(name).replace(/-\w{8}\.js$/, '.js'),
      minified: code.length,
      gzip: gzip(code),
    }
  })
}

const gzip = (code) => gzipSync(code, { level: 9 }).length

function sizes(code) {
  return {
    minified: code.length,
    gzip: gzip(code),
    brotli: brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    }).length,
  }
}
