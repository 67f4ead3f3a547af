// The one-line-per-package progress `pnpm start` shows while turbo builds.
import { expect, test } from 'vitest'
import { buildProgress } from '../start/build.mjs'

// What `turbo run build --log-order=grouped --output-logs=full` prints, colours included.
const log = `
   • Running build in 13 packages

@oidckit/core:build: cache hit, replaying logs 6f0991de1c518f18
@oidckit/core:build: \x1b[32mESM\x1b[39m ⚡️ Build success in 1483ms
@oidckit/node-server:build: cache miss, executing 088ed9c183e0e40f
@oidckit/node-server:build: > tsup
@oidckit/node-server:build: DTS ⚡️ Build success in 5303ms
@oidckit/mock-idp:build: cache miss, executing 531e43cac3be0f2a
@oidckit/mock-idp:build: src/index.ts(12,15): error TS2305: Module has no exported member 'MockIdp'.
@oidckit/mock-idp:build: \x1b[31mDTS\x1b[39m \x1b[31mBuild error\x1b[39m
@oidckit/mock-idp#build:  ERROR  command (/work/main/mock-idp) pnpm run build exited (1)
`

test('a package is listed once its block is followed by another, with cached, built or failed', () => {
  const upToNodeServer = log.slice(0, log.indexOf('@oidckit/mock-idp:build: cache'))
  expect(buildProgress(upToNodeServer, false)).toEqual([{ name: '@oidckit/core', state: 'cached' }])
  expect(buildProgress(log, true)).toEqual([
    { name: '@oidckit/core', state: 'cached' },
    { name: '@oidckit/node-server', state: 'built' },
    { name: '@oidckit/mock-idp', state: 'failed' },
  ])
})

test("turbo's closing summary makes the last block final", () => {
  const done = `${log.replace(/^@oidckit\/mock-idp.*\n/gm, '')}\n Tasks:    2 successful, 2 total\n`
  expect(buildProgress(done, false).map(({ state }) => state)).toEqual(['cached', 'built'])
})
