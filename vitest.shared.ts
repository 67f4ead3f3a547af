import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

const source = '@oidckit/source'

/**
 * The test setup every package merges: workspace packages resolve to their `src/` through the
 * `@oidckit/source` export condition, so tests and typecheck never need a build.
 *
 * Test files of a package share one worker and its imported modules (`isolate: false`):
 * importing the sources, mock-idp and a DOM once per package instead of once per file halves
 * the suite's CPU time. Every test builds its own state (its own mock-idp, clock and storage),
 * and vitest.setup.ts resets the globals a file may have changed. A file that replaces a
 * module with `vi.mock` needs a fresh module graph: its package runs it in an isolated
 * project (see packages/device-cli/vitest.config.ts).
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: [source, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [source, ...defaultServerConditions] } },
  test: {
    isolate: false,
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
})
