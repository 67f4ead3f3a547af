import { readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import type { MockIdp } from '@oidckit/mock-idp'
import { main } from '../src/cli/main.js'
import type { CliIo } from '../src/cli/io.js'
import { counted, fakeTime, settle, tempDir } from './helpers.js'

const issuer = 'https://idp.test'
let idp: MockIdp
let dir: string
let remove: () => Promise<void>

beforeEach(async () => {
  idp = createMockIdp({ issuer })
  // Generate the signing key now, in real time, not while fake time waits on it.
  await idp.jwks()
  ;({ dir, remove } = await tempDir())
})

afterEach(async () => {
  vi.useRealTimers()
  await remove()
})

function run(argv: string[], extra: Partial<CliIo> = {}) {
  const out: string[] = []
  const err: string[] = []
  const opened: string[] = []
  const code = main(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { OIDCKIT_CONFIG_DIR: dir, OIDCKIT_ISSUER: issuer, DISPLAY: ':0' },
    platform: 'linux',
    fetch: counted(idp.fetch),
    clock: () => Date.now(),
    openBrowser: (url) => opened.push(url),
    ...extra,
  })
  return { code, stdout: () => out.join(''), stderr: () => err.join(''), opened }
}

/** `oidckit login`, approving the code it prints as alice would in her browser. */
async function login(argv: string[] = [], extra: Partial<CliIo> = {}) {
  fakeTime()
  const cli = run(['login', ...argv], extra)
  let approved = false
  const code = await settle(cli.code, () => {
    const userCode = /[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}/.exec(cli.stdout())?.[0]
    if (userCode && !approved) approved = idp.approveDevice(userCode, 'alice')
  })
  vi.useRealTimers()
  return { ...cli, exit: code }
}

test('RP-19: login shows the URL, the code, the advice to compare, and a QR code, then signs in', async () => {
  const { exit, stdout, stderr, opened } = await login()
  expect(stderr()).toBe('')
  expect(exit).toBe(0)
  const text = stdout()
  expect(text).toContain(`${issuer}/device`)
  expect(text).toMatch(/enter the code: {2}[A-Z]{4}-[A-Z]{4}/)
  expect(text).toContain('Check that the page shows this same code')
  expect(text).toMatch(/[▀▄█]/)
  expect(text).toContain('Signed in to https://idp.test as Alice Liddell (user-alice).')
  expect(opened).toHaveLength(1)
  expect(opened[0]).toContain('user_code=')
  const deviceCode = idp.requests().find((r) => r.endpoint === 'token')
  expect(deviceCode).toBeDefined()
  expect(text).not.toMatch(/device_code/i)
  expect((await stat(join(dir, 'credentials.json'))).mode & 0o777).toBe(0o600)
})

test('login does not open a browser with --no-browser, in CI, or without a display', async () => {
  expect((await login(['--no-browser'])).opened).toEqual([])
  expect(
    (await login([], { env: { OIDCKIT_CONFIG_DIR: dir, OIDCKIT_ISSUER: issuer, CI: 'true' } }))
      .opened,
  ).toEqual([])
  expect(
    (await login([], { env: { OIDCKIT_CONFIG_DIR: dir, OIDCKIT_ISSUER: issuer } })).opened,
  ).toEqual([])
})

test('login prints an OSC 8 link when the terminal supports it', async () => {
  const env = { OIDCKIT_CONFIG_DIR: dir, OIDCKIT_ISSUER: issuer, FORCE_HYPERLINK: '1' }
  const { stdout } = await login([], { env })
  expect(stdout()).toContain(`\u001b]8;;${issuer}/device\u001b\\${issuer}/device\u001b]8;;\u001b\\`)
})

test('login --json prints the code and the result as JSON lines', async () => {
  const { exit, stdout } = await login(['--json'])
  expect(exit).toBe(0)
  const [code, result] = stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(Object.keys(code).sort()).toEqual([
    'expiresAt',
    'userCode',
    'verificationUri',
    'verificationUriComplete',
  ])
  expect(result).toMatchObject({ issuer, clientId: 'cli', subject: 'user-alice' })
})

test('login exits 1 naming the next step when the user denies', async () => {
  fakeTime()
  const cli = run(['login'])
  const exit = await settle(cli.code, () => {
    const userCode = /[A-Z]{4}-[A-Z]{4}/.exec(cli.stdout())?.[0]
    if (userCode) idp.denyDevice(userCode)
  })
  expect(exit).toBe(1)
  expect(cli.stderr()).toBe('oidckit: The sign-in was denied. Run `oidckit login` to try again.\n')
  expect(await readdir(dir)).not.toContain('credentials.json')
})

test('Ctrl-C during login exits 130 and writes nothing', async () => {
  fakeTime()
  const controller = new AbortController()
  const cli = run(['login'], { signal: controller.signal })
  const exit = await settle(cli.code, () => {
    if (cli.stdout().includes('enter the code')) controller.abort()
  })
  expect(exit).toBe(130)
  expect(cli.stderr()).toContain('cancelled')
  expect((await readdir(dir)).filter((f) => f !== 'credentials.json.lock')).toEqual([])
})

test('token prints the access token and nothing else', async () => {
  await login()
  const cli = run(['token'])
  expect(await cli.code).toBe(0)
  const token = cli.stdout()
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
  expect(cli.stderr()).toBe('')
  const me = await idp.fetch(
    new Request(`${issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${token.trim()}` },
    }),
  )
  expect(me.status).toBe(200)
})

test('token refreshes an expired access token', async () => {
  await login()
  const first = run(['token'])
  await first.code
  // Past the access token's lifetime however long the fake-time login took.
  idp.clock.advance(2 * 3600)
  const clock = () => idp.clock.now() * 1000
  const second = run(['token', '--json'], { clock })
  expect(await second.code).toBe(0)
  const json = JSON.parse(second.stdout())
  expect(json.accessToken).not.toBe(first.stdout().trim())
  expect(json.expiresAt).toBeGreaterThan(clock() / 1000)
})

test('token without a login exits 1 and says to run oidckit login', async () => {
  const cli = run(['token'])
  expect(await cli.code).toBe(1)
  expect(cli.stdout()).toBe('')
  expect(cli.stderr()).toBe(
    'oidckit: You are not signed in to https://idp.test. Run `oidckit login` first.\n',
  )
})

test('a corrupt credentials file gives a clear error and is kept aside', async () => {
  await writeFile(join(dir, 'credentials.json'), '\u0000garbage', { mode: 0o600 })
  const cli = run(['token'])
  expect(await cli.code).toBe(1)
  expect(cli.stderr()).toMatch(
    /was unreadable .*moved to .*credentials\.json\.corrupt-.*oidckit login/,
  )
  expect(cli.stderr().trim().split('\n')).toHaveLength(1)
  expect((await readdir(dir)).some((f) => f.startsWith('credentials.json.corrupt-'))).toBe(true)
})

test('login over a corrupt credentials file warns, keeps it aside and signs in', async () => {
  await writeFile(join(dir, 'credentials.json'), '{', { mode: 0o600 })
  const { exit, stderr } = await login()
  expect(exit).toBe(0)
  expect(stderr()).toContain('warning')
  expect((await readdir(dir)).some((f) => f.startsWith('credentials.json.corrupt-'))).toBe(true)
})

test('whoami shows the userinfo claims', async () => {
  await login()
  const cli = run(['whoami', '--json'])
  expect(await cli.code).toBe(0)
  expect(JSON.parse(cli.stdout())).toMatchObject({
    sub: 'user-alice',
    email: 'alice@example.com',
    name: 'Alice Liddell',
  })
  const text = run(['whoami'])
  expect(await text.code).toBe(0)
  expect(text.stdout()).toMatch(/^sub +user-alice$/m)
})

test('RP-20: logout revokes the refresh token and forgets the login', async () => {
  await login()
  idp.clearRequests()
  const cli = run(['logout'])
  expect(await cli.code).toBe(0)
  expect(cli.stdout()).toContain('Signed out of https://idp.test')
  expect(idp.requests().map((r) => r.endpoint)).toContain('revoke')
  const after = run(['token'])
  expect(await after.code).toBe(1)
  const again = run(['logout'])
  expect(await again.code).toBe(0)
  expect(again.stdout()).toContain('not signed in')
})

test('an unreachable issuer exits 1 and says to check --issuer', async () => {
  const cli = run(['login', '--issuer', 'http://127.0.0.1:9'], { fetch: undefined })
  expect(await cli.code).toBe(1)
  expect(cli.stderr()).toMatch(/^oidckit: Could not reach http:\/\/127\.0\.0\.1:9 .*--issuer/)
})

test('usage errors exit 2: unknown command, unknown option, bad issuer', async () => {
  const unknown = run(['signin'])
  expect(await unknown.code).toBe(2)
  expect(unknown.stderr()).toContain('unknown command "signin"')
  const option = run(['token', '--bogus'])
  expect(await option.code).toBe(2)
  expect(option.stderr()).toContain('oidckit token --help')
  const issuerValue = run(['token', '--issuer'])
  expect(await issuerValue.code).toBe(2)
  const none = run([])
  expect(await none.code).toBe(2)
  expect(none.stderr()).toContain('Usage: oidckit <command>')
})

test('a malformed issuer URL is a usage error', async () => {
  await writeFile(join(dir, 'x'), '')
  const cli = run(['login', '--issuer', 'not a url'])
  expect(await cli.code).toBe(2)
  expect(cli.stderr()).toContain('oidckit login --help')
})

test('--help works for every command and exits 0', async () => {
  for (const command of ['login', 'token', 'whoami', 'logout']) {
    const cli = run([command, '--help'])
    expect(await cli.code).toBe(0)
    expect(cli.stdout()).toContain(`Usage: oidckit ${command}`)
    expect(cli.stdout()).toContain('--issuer')
  }
  expect(run(['login', '-h']).stdout).toBeDefined()
  const top = run(['--help'])
  expect(await top.code).toBe(0)
  expect(top.stdout()).toContain('login')
})

test('uses --client-id and --scope to pick the stored login', async () => {
  await login(['--scope', 'openid offline_access'])
  const other = run(['token'])
  expect(await other.code).toBe(1)
  const same = run(['token', '--scope', 'offline_access openid', '--client-id', 'cli'])
  expect(await same.code).toBe(0)
})
