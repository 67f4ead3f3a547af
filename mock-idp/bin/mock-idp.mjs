#!/usr/bin/env node
// The `mock-idp` command. This file is committed so that the bin exists when pnpm links it at
// install, before any build; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  console.error(
    'mock-idp: @oidckit/mock-idp is not built yet: run `pnpm build` at the repository root.',
  )
  process.exit(1)
}
// cli.js starts the server only when it is the script node was given.
process.argv[1] = fileURLToPath(cli)
await import(cli.href)
