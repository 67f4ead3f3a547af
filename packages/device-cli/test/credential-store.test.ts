import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { CredentialStore, OAuthError, TokenSet, isLoginRequired } from '@oidckit/device-cli'
import { tempDir } from './helpers.js'

const key = { issuer: 'https://idp.test', clientId: 'cli', scope: 'openid offline_access' }
const tokens = new TokenSet({ accessToken: 'at-1', tokenType: 'Bearer', refreshToken: 'rt-1' })
let dir: string
let remove: () => Promise<void>

beforeEach(async () => {
  ;({ dir, remove } = await tempDir())
})

afterEach(async () => {
  await remove()
})

test('RP-19: writes credentials.json with mode 0600 in a 0700 folder', async () => {
  const store = new CredentialStore({ configDir: join(dir, 'oidckit') })
  await store.set(key, tokens)
  expect((await stat(store.path)).mode & 0o777).toBe(0o600)
  expect((await stat(store.dir)).mode & 0o777).toBe(0o700)
  expect(store.path).toBe(join(dir, 'oidckit', 'credentials.json'))
})

test('reads back what it stored, keyed by issuer, client and scope', async () => {
  const store = new CredentialStore({ configDir: dir })
  await store.set(key, tokens)
  await store.set({ ...key, clientId: 'other' }, { accessToken: 'at-2', tokenType: 'bearer' })
  const entry = await store.get({ ...key, scope: 'offline_access  openid' })
  expect(entry?.tokens).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' })
  expect((await store.get({ ...key, clientId: 'other' }))?.tokens.accessToken).toBe('at-2')
  expect(await store.get({ ...key, issuer: 'https://elsewhere.test' })).toBeUndefined()
  expect(await store.list()).toHaveLength(2)
})

test('forgets one entry and keeps the others', async () => {
  const store = new CredentialStore({ configDir: dir })
  await store.set(key, tokens)
  await store.set({ ...key, clientId: 'other' }, tokens)
  expect(await store.delete(key)).toBe(true)
  expect(await store.delete(key)).toBe(false)
  expect(await store.get(key)).toBeUndefined()
  expect(await store.get({ ...key, clientId: 'other' })).toBeDefined()
})

test('finds its folder from OIDCKIT_CONFIG_DIR, then XDG_CONFIG_HOME', () => {
  expect(new CredentialStore({ env: { OIDCKIT_CONFIG_DIR: dir } }).path).toBe(
    join(dir, 'credentials.json'),
  )
  expect(new CredentialStore({ env: { XDG_CONFIG_HOME: dir } }).path).toBe(
    join(dir, 'oidckit', 'credentials.json'),
  )
})

test('moves a corrupt file aside and says how to recover, without losing it', async () => {
  const store = new CredentialStore({ configDir: dir })
  await writeFile(store.path, '{"version": 1, "credentials": {', { mode: 0o600 })
  const err = await store.get(key).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(OAuthError)
  expect(isLoginRequired(err)).toBe(true)
  expect((err as Error).message).toContain('oidckit login')
  const aside = (await readdir(dir)).filter((name) => name.startsWith('credentials.json.corrupt-'))
  expect(aside).toHaveLength(1)
  expect((err as Error).message).toContain(aside[0])
  expect(await readFile(join(dir, aside[0] as string), 'utf8')).toBe(
    '{"version": 1, "credentials": {',
  )
  expect(await store.get(key)).toBeUndefined()
})

test('RP-10: the error about a corrupt file quotes none of it', async () => {
  const store = new CredentialStore({ configDir: dir })
  const secret = 'SECRET-REFRESH-TOKEN-0123456789'
  await writeFile(
    store.path,
    `{"version": 1, "credentials": {"k": {"refreshToken": "${secret}"}x`,
    {
      mode: 0o600,
    },
  )
  const err = await store.get(key).catch((e: unknown) => e)
  expect(isLoginRequired(err)).toBe(true)
  expect(inspect(err, { depth: Infinity, showHidden: true })).not.toContain(secret)
  expect((err as Error).message).toContain('not valid JSON')
})

test('treats a file of the wrong shape as corrupt', async () => {
  const store = new CredentialStore({ configDir: dir })
  await writeFile(store.path, JSON.stringify({ version: 1, credentials: { x: { issuer: 1 } } }), {
    mode: 0o600,
  })
  await expect(store.list()).rejects.toSatisfy(isLoginRequired)
})

test('a write over a corrupt file keeps the corrupt one aside', async () => {
  const store = new CredentialStore({ configDir: dir })
  await writeFile(store.path, 'not json', { mode: 0o600 })
  await store.set(key, tokens)
  expect((await store.get(key))?.tokens.accessToken).toBe('at-1')
  expect((await readdir(dir)).some((name) => name.startsWith('credentials.json.corrupt-'))).toBe(
    true,
  )
})

test('refuses to store something that is not a token set', async () => {
  const store = new CredentialStore({ configDir: dir })
  await store.set(key, tokens)
  await expect(
    store.set(key, { tokenType: 'bearer' } as unknown as TokenSet),
  ).rejects.toMatchObject({ name: 'TypeError' })
  expect((await store.get(key))?.tokens.accessToken).toBe('at-1')
})

test('RP-20: takes over a lock left by a process that is gone', async () => {
  const store = new CredentialStore({ configDir: dir })
  await mkdir(dir, { recursive: true })
  // pid 2^22 + 1 is above Linux's pid_max: no such process.
  await writeFile(`${store.path}.lock`, `${2 ** 22 + 1} 0 0`)
  await store.set(key, tokens)
  expect((await store.get(key))?.tokens.accessToken).toBe('at-1')
})

test('RP-20: takes over a lock older than the stale age even if its owner lives', async () => {
  const store = new CredentialStore({ configDir: dir, staleLockMs: 1 })
  await writeFile(`${store.path}.lock`, `${process.pid} 0 0`)
  await new Promise((resolve) => setTimeout(resolve, 20))
  await store.set(key, tokens)
  expect((await readdir(dir)).includes('credentials.json.lock')).toBe(false)
})

test('RP-20: serialises concurrent writers so no update is lost', async () => {
  const stores = Array.from({ length: 8 }, () => new CredentialStore({ configDir: dir }))
  await Promise.all(
    stores.map((store, i) =>
      store.set(
        { ...key, clientId: `client-${i}` },
        { accessToken: `at-${i}`, tokenType: 'bearer' },
      ),
    ),
  )
  expect(await stores[0]?.list()).toHaveLength(8)
})
