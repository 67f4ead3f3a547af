import { readdir, readFile } from 'node:fs/promises'
import type * as fs from 'node:fs/promises'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { CredentialStore, TokenSet } from '@oidckit/device-cli'
import { tempDir } from './helpers.js'

const failure = vi.hoisted(() => ({ next: undefined as NodeJS.ErrnoException | undefined }))

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fs>()
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args)
      const error = failure.next
      if (error && String(args[0]).endsWith('.tmp')) {
        failure.next = undefined
        // A full disk: the temp file is created, then the write fails halfway.
        handle.writeFile = async (data) => {
          await real.writeFile(String(args[0]), String(data).slice(0, 10))
          throw error
        }
      }
      return handle
    },
  }
})

const key = { issuer: 'https://idp.test', clientId: 'cli', scope: 'openid' }
let dir: string
let remove: () => Promise<void>

beforeEach(async () => {
  ;({ dir, remove } = await tempDir())
})

afterEach(async () => {
  failure.next = undefined
  await remove()
})

test('a failing write (a full disk) leaves the old credentials intact', async () => {
  const store = new CredentialStore({ configDir: dir })
  await store.set(key, new TokenSet({ accessToken: 'old', tokenType: 'bearer' }))
  const before = await readFile(store.path, 'utf8')
  failure.next = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
  await expect(
    store.set(key, new TokenSet({ accessToken: 'new', tokenType: 'bearer' })),
  ).rejects.toMatchObject({ code: 'ENOSPC' })
  expect(await readFile(store.path, 'utf8')).toBe(before)
  expect((await store.get(key))?.tokens.accessToken).toBe('old')
  expect((await readdir(dir)).sort()).toEqual(['credentials.json'])
})
