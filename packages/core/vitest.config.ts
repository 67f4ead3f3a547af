import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared'

// Core runs its whole suite twice, under Node and under a DOM, to prove it is runtime-neutral.
export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'node', environment: 'node' } },
        { extends: true, test: { name: 'dom', environment: 'jsdom' } },
      ],
    },
  }),
)
