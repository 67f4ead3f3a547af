import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared'

// jsdom with one realm for the platform primitives (see test/jsdom-environment.ts).
export default mergeConfig(
  sharedConfig,
  defineConfig({
    esbuild: { jsx: 'automatic' },
    test: { environment: './test/jsdom-environment.ts', setupFiles: ['./test/setup.ts'] },
  }),
)
