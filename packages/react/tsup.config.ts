import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.config.base'

export default defineConfig({
  ...baseConfig,
  entry: ['src/index.ts'],
  platform: 'browser',
  // Rollup's tree-shaking pass drops the banner; esbuild's own bundling is enough here.
  treeshake: false,
  // Every export is a client component or hook; the bundle keeps the directive.
  banner: { js: "'use client'" },
  external: ['react', 'react/jsx-runtime', '@oidckit/browser-pkce', '@oidckit/core'],
})
