import { chmod, chown, mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { CredentialStore, TokenSet } from '@oidckit/device-cli'
import { main } from '../src/cli/main.js'
import { tempDir } from './helpers.js'

// Whoever can write into the credentials folder can swap credentials.json for their own
// tokens, so a folder others can write to is made private or refused (RP-19).

const key = { issuer: 'https://idp.test', clientId: 'cli', scope: 'openid offline_access' }
const tokens = new TokenSet({ accessToken: 'at-1', tokenType: 'Bearer', refreshToken: 'rt-1' })
const posix = process.platform !== 'win32'
const root = process.getuid?.() === 0
let base: string
let remove: () => Promise<void>

beforeEach(async () => {
  ;({ dir: base, remove } = await tempDir())
})

afterEach(async () => {
  await remove()
})

/** A folder inside the test's own temp folder, with exactly `mode`. */
async function folder(mode: number): Promise<string> {
  const dir = join(base, 'oidckit')
  await mkdir(dir)
  await chmod(dir, mode)
  return dir
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777

async function refusal(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Error)
  return err as Error & { code?: string }
}

describe.skipIf(!posix)('a credentials folder others can write to', () => {
  test('RP-19: is set to 0700 before the first write when this user owns it; the file is 0600', async () => {
    const dir = await folder(0o777)
    const store = new CredentialStore({ configDir: dir })
    await store.set(key, tokens)
    expect(await modeOf(dir)).toBe(0o700)
    expect(await modeOf(store.path)).toBe(0o600)
  })

  test('RP-19: is set to 0700 before a read when it is group-writable and this user owns it', async () => {
    const dir = await folder(0o775)
    const store = new CredentialStore({ configDir: dir })
    expect(await store.get(key)).toBeUndefined()
    expect(await modeOf(dir)).toBe(0o700)
  })

  test('RP-19: is refused when it is a shared sticky folder, naming it, and left unchanged', async () => {
    const dir = await folder(0o1777)
    const store = new CredentialStore({ configDir: dir })
    const err = await refusal(store.set(key, tokens))
    expect(err.code).toBe('ERR_CONFIG_DIR_INSECURE')
    expect(err).toMatchObject({ path: dir })
    expect(err.message).toContain(dir)
    expect(err.message).toContain('OIDCKIT_CONFIG_DIR')
    expect(await readdir(dir)).toEqual([])
    expect(await modeOf(dir)).toBe(0o1777)
    expect((await refusal(store.get(key))).code).toBe('ERR_CONFIG_DIR_INSECURE')
  })

  // Only root can give a folder to another user.
  test.skipIf(!root)(
    'RP-19: is refused when it belongs to another user, with the chmod 700 fix',
    async () => {
      const dir = await folder(0o777)
      await chown(dir, 65534, 65534)
      const store = new CredentialStore({ configDir: dir })
      const err = await refusal(store.set(key, tokens))
      expect(err.code).toBe('ERR_CONFIG_DIR_INSECURE')
      expect(err.message).toContain(`chmod 700 ${dir}`)
      expect(await readdir(dir)).toEqual([])
      expect(await modeOf(dir)).toBe(0o777)
    },
  )

  test('RP-19: the CLI refuses it with one line naming the folder, and exits 1', async () => {
    const dir = await folder(0o1777)
    const err: string[] = []
    const code = await main(['token'], {
      stdout: { write: () => undefined },
      stderr: { write: (s: string) => err.push(s) },
      env: { OIDCKIT_CONFIG_DIR: dir, OIDCKIT_ISSUER: 'https://idp.test' },
      platform: 'linux',
      fetch: () => Promise.reject(new Error('no request expected')),
    })
    expect(code).toBe(1)
    expect(err.join('')).toContain(`The credentials folder ${dir}`)
    expect(err.join('')).not.toContain('Unexpected error')
    expect(err.join('').trim().split('\n')).toHaveLength(1)
  })
})

test.skipIf(!posix)('RP-19: leaves a folder that others can only read as it is', async () => {
  const dir = await folder(0o755)
  const store = new CredentialStore({ configDir: dir })
  await store.set(key, tokens)
  expect(await modeOf(dir)).toBe(0o755)
  expect(await modeOf(store.path)).toBe(0o600)
})
