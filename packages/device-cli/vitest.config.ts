import { configDefaults, defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared'

// atomic-write.test.ts replaces node:fs/promises with `vi.mock`, which needs a module graph of
// its own; every other file shares one (see vitest.shared.ts).
const isolated = ['test/atomic-write.test.ts']

export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      environment: 'node',
      projects: [
        {
          extends: true,
          test: { name: 'shared', exclude: [...configDefaults.exclude, ...isolated] },
        },
        { extends: true, test: { name: 'isolated', include: isolated, isolate: true } },
      ],
    },
  }),
)
