import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { freePort } from '@oidckit/test-utils'
import { main } from '../src/cli.js'

const quiet = () => {
  const lines: string[] = []
  return {
    lines,
    io: {
      env: {},
      out: (line: string) => lines.push(line),
      err: (line: string) => lines.push(line),
    },
  }
}

test('an issuer with a port and no --port moves the listener to that port', async () => {
  const { lines, io } = quiet()
  const free = String(await freePort())
  const handle = await main(['--host', '127.0.0.1', '--issuer', `http://127.0.0.1:${free}`], io)
  try {
    expect(new URL(handle.server.url).port).toBe(free)
    expect(lines[0]).toBe(`mock-idp listening on http://127.0.0.1:${free}`)
  } finally {
    await handle.stop()
  }
})

test('main starts the bare config, prints the demo clients and users, and stops', async () => {
  const { lines, io } = quiet()
  const handle = await main(['--port', '0', '--host', '127.0.0.1'], io)
  expect(lines[0]).toBe(`mock-idp listening on ${handle.issuer}`)
  expect(lines.join('\n')).toContain('alice / alice-password')
  expect(lines.join('\n')).toContain('web-app secret=web-app-secret')
  const res = await fetch(`${handle.server.url}/.well-known/openid-configuration`)
  expect(((await res.json()) as { issuer: string }).issuer).toBe(handle.issuer)
  const state = await fetch(`${handle.server.url}/_mock/state`, {
    headers: { authorization: `Bearer ${handle.adminToken!}` },
  })
  expect(state.status).toBe(200)
  await handle.stop()
})

test('AS-10: the CLI guards the control API with an admin token it generates and prints', async () => {
  const { lines, io } = quiet()
  const handle = await main(['--port', '0', '--host', '127.0.0.1'], io)
  try {
    expect(handle.adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(lines).toContain(`control API (/_mock/): Authorization: Bearer ${handle.adminToken!}`)
    const without = await fetch(`${handle.server.url}/_mock/state`)
    expect(without.status).toBe(401)
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(await without.json()).toMatchObject({ error: 'invalid_token' })
    const wrong = await fetch(`${handle.server.url}/_mock/state`, {
      headers: { authorization: `Bearer ${handle.adminToken!}x` },
    })
    expect(wrong.status).toBe(401)
  } finally {
    await handle.stop()
  }
  const again = await main(['--port', '0', '--host', '127.0.0.1'], quiet().io)
  expect(again.adminToken).not.toBe(handle.adminToken)
  await again.stop()
})

test('AS-10: MOCK_IDP_ADMIN_TOKEN chooses the admin token; a token that cannot be a bearer token is refused', async () => {
  const { io } = quiet()
  const handle = await main(['--port', '0', '--host', '127.0.0.1'], {
    ...io,
    env: { MOCK_IDP_ADMIN_TOKEN: 'chosen-token' },
  })
  try {
    const res = await fetch(`${handle.server.url}/_mock/clock`, {
      headers: { authorization: 'Bearer chosen-token' },
    })
    expect(res.status).toBe(200)
  } finally {
    await handle.stop()
  }
  await expect(
    main(['--port', '0'], { ...io, env: { MOCK_IDP_ADMIN_TOKEN: 'two words' } }),
  ).rejects.toThrow(/^invalid config: adminToken/)
})

test('--issuer and MOCK_IDP_ISSUER set the issuer', async () => {
  const { io } = quiet()
  const handle = await main(['--port', '0', '--host', '127.0.0.1'], {
    ...io,
    env: { MOCK_IDP_ISSUER: 'http://127.0.0.1:1234' },
  })
  expect(handle.issuer).toBe('http://127.0.0.1:1234')
  await handle.stop()
})

test('a bad config file fails with a one-line reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mock-idp-'))
  const file = join(dir, 'config.json')
  await writeFile(
    file,
    JSON.stringify({ clients: [{ clientId: 'x', redirectUris: ['javascript:alert(1)'] }] }),
  )
  await expect(main(['--port', '0', '--config', file], quiet().io)).rejects.toThrow(
    /^invalid config: .*scheme/,
  )
  await writeFile(file, '{ nope')
  await expect(main(['--port', '0', '--config', file], quiet().io)).rejects.toThrow(
    /not valid JSON/,
  )
})

test('a taken port fails with a one-line reason', async () => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const port = (blocker.address() as { port: number }).port
  await expect(main(['--port', String(port), '--host', '127.0.0.1'], quiet().io)).rejects.toThrow(
    `port ${port} on 127.0.0.1 is already in use`,
  )
  blocker.close()
})

test('an unknown option or a bad port is refused', async () => {
  await expect(main(['--nope'], quiet().io)).rejects.toThrow(/Unknown option/)
  await expect(main(['--port', 'abc'], quiet().io)).rejects.toThrow(/--port/)
})

test('--data-dir keeps refresh tokens across a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mock-idp-data-'))
  const args = [
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--issuer',
    'http://127.0.0.1:9400',
    '--data-dir',
    dir,
  ]
  const first = await main(args, quiet().io)
  const minted = (await (
    await fetch(`${first.server.url}/_mock/tokens`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${first.adminToken!}`,
      },
      body: JSON.stringify({ user: 'alice', clientId: 'spa' }),
    })
  ).json()) as { refresh_token: string }
  await first.stop()
  expect(existsSync(join(dir, 'keys.json'))).toBe(true)
  const second = await main(args, quiet().io)
  const res = await fetch(`${second.server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: minted.refresh_token,
      client_id: 'spa',
    }),
  })
  expect(res.status).toBe(200)
  await second.stop()
})

const dist = join(import.meta.dirname, '../dist/cli.js')
test.skipIf(!existsSync(dist) && !process.env.CI)(
  'the built CLI announces itself once discovery answers and exits 0 on SIGTERM',
  async () => {
    const child = spawn(process.execPath, [dist, '--port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(String(chunk).split('\n')[0]!)),
    )
    const issuer = line.replace('mock-idp listening on ', '')
    expect((await fetch(`${issuer}/.well-known/openid-configuration`)).status).toBe(200)
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGTERM')
    })
    expect(code).toBe(0)
  },
)
