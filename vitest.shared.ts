import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

const source = '@oidckit/source'

/**
 * The test setup every package merges: workspace packages resolve to their `src/` through the
 * `@oidckit/source` export condition, so tests and typecheck never need a build.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: [source, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [source, ...defaultServerConditions] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
})
