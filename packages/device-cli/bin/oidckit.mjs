#!/usr/bin/env node
// The `oidckit` command. This file is committed so that the bin exists when pnpm links it at
// install, before any build; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  console.error(
    'oidckit: @oidckit/device-cli is not built yet: run `pnpm build` at the repository root.',
  )
  process.exit(1)
}
await import(cli.href)
