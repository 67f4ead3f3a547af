import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../vitest.shared'

export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      environment: 'node',
      // oidc-provider names every default it runs with ("you SHOULD change it"); those
      // development defaults are deliberate here (README), so keep them out of the output.
      onConsoleLog: (log) => !/oidc-provider (NOTICE|WARNING)/.test(log),
    },
  }),
)
