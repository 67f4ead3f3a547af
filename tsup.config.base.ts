import type { Options } from 'tsup'

/** The build every package spreads: ESM with declarations, Node 20.19 or any modern browser. */
export const baseConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
}
