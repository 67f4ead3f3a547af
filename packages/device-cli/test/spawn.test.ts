import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import { CredentialStore, TokenSet } from '@oidckit/device-cli'
import { tempDir } from './helpers.js'

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
// `pnpm test` builds first (turbo.json); in CI a missing build fails instead of skipping.
const built = existsSync(cli) || Boolean(process.env.CI)

const idp = createMockIdp({ deviceCodeInterval: 1 })
let server: { url: string; close: () => Promise<void> }
let dir: string
let remove: () => Promise<void>

beforeAll(async () => {
  if (!built) return
  server = await idp.listen({ port: 0 })
  ;({ dir, remove } = await tempDir())
})

afterAll(async () => {
  if (!built) return
  await server.close()
  await remove()
})

function oidckit(args: string[], onStdout: (text: string) => void = () => undefined) {
  const child = spawn(process.execPath, [cli, ...args, '--issuer', server.url], {
    env: { PATH: process.env.PATH, OIDCKIT_CONFIG_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    onStdout(stdout)
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
}

test.skipIf(!built)(
  'the built oidckit logs in over HTTP, prints a token, and logs out',
  async () => {
    let approved = false
    const login = await oidckit(['login', '--no-browser'], (text) => {
      const userCode = /enter the code: {2}([A-Z]{4}-[A-Z]{4})/.exec(text)?.[1]
      if (userCode && !approved) approved = idp.approveDevice(userCode, 'alice')
    })
    expect(login.stderr).toBe('')
    expect(login.code).toBe(0)
    expect(login.stdout).toContain('Signed in to')
    const token = await oidckit(['token'])
    expect(token.code).toBe(0)
    expect(token.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const logout = await oidckit(['logout'])
    expect(logout.code).toBe(0)
    const after = await oidckit(['token'])
    expect(after.code).toBe(1)
    expect(after.stderr).toContain('oidckit login')
  },
)

test.skipIf(!built)('RP-20: two oidckit token processes at once refresh only once', async () => {
  const scope = 'openid profile email offline_access'
  const body = await idp.issueTokens({ user: 'alice', clientId: 'cli', scope })
  // An expired access token with a live refresh token: both processes want to refresh.
  await new CredentialStore({ configDir: dir }).set(
    { issuer: server.url, clientId: 'cli', scope },
    new TokenSet({
      accessToken: body.access_token,
      tokenType: 'bearer',
      expiresAt: 1,
      refreshToken: body.refresh_token,
      idToken: body.id_token,
    }),
  )
  idp.clearRequests()
  const [a, b] = await Promise.all([oidckit(['token']), oidckit(['token'])])
  expect([a.code, b.code]).toEqual([0, 0])
  expect(a.stdout).toBe(b.stdout)
  expect(idp.requests().filter((r) => r.endpoint === 'token')).toHaveLength(1)
})
