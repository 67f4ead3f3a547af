import { defaultClientConditions, defineConfig } from 'vite'

// No React plugin: esbuild's automatic JSX runtime is all this example needs. The source
// condition lets dev and build use the workspace packages' sources without building them first.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: { conditions: ['@oidckit/source', ...defaultClientConditions] },
  build: {
    rollupOptions: {
      // The packages' sources carry 'use client'; in an app bundle the directive means nothing.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return
        warn(warning)
      },
    },
  },
  server: { port: 5173, strictPort: true, host: 'localhost' },
  preview: { port: 5173, strictPort: true, host: 'localhost' },
})
