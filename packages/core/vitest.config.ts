import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared'

// Core runs its whole suite twice, under Node and under a DOM, to prove it is runtime-neutral.
// The DOM run uses jsdom with one realm for the platform primitives: see test/jsdom-environment.ts.
export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: { name: 'node', environment: 'node', provide: { domExpected: false } },
        },
        {
          extends: true,
          test: {
            name: 'dom',
            environment: './test/jsdom-environment.ts',
            provide: { domExpected: true },
          },
        },
      ],
    },
  }),
)
