import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The root scripts' tests: `pnpm start` run for real, and the linked bins. They spawn built
// packages, so turbo runs them after the builds they need (turbo.json, //#test:scripts).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.mjs'],
    // Each run starts mock-idp and four apps on a machine that may be busy.
    testTimeout: 240_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
})
