import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import { CredentialStore, deviceLogin, isLoginRequired } from '@oidckit/device-cli'
import { createApi } from 'example-express-api/app'
import { callApi } from '../src/call-api.js'

const issuer = 'http://localhost:9400'
const scope = 'openid profile email offline_access'
const idp = createMockIdp({ issuer })
let api: Server
let apiUrl: string
let dir: string

beforeAll(async () => {
  await idp.jwks()
  dir = await mkdtemp(join(tmpdir(), 'example-cli-'))
  api = createApi({ issuer, fetch: idp.fetch }).listen(0, '127.0.0.1')
  await new Promise((resolve) => api.once('listening', resolve))
  const address = api.address() as { port: number }
  apiUrl = `http://127.0.0.1:${address.port}`
})

afterAll(async () => {
  await new Promise((resolve) => api.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

const tokenOptions = () => ({ issuer, clientId: 'cli', scope, configDir: dir, fetch: idp.fetch })

let inFlight = 0
const counted = async (request: Request) => {
  inFlight++
  try {
    return await idp.fetch(request)
  } finally {
    inFlight--
  }
}

/** What `oidckit login` does, with alice approving the code as soon as it is shown. */
async function login(): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    const tokens = deviceLogin({
      ...tokenOptions(),
      fetch: counted,
      onCode: ({ userCode }) => {
        idp.approveDevice(userCode, 'alice')
      },
    })
    let done = false
    tokens.finally(() => (done = true)).catch(() => undefined)
    // Fake time moves only while the poller waits between polls, never during a request.
    while (!done) {
      if (inFlight === 0 && vi.getTimerCount() > 0) await vi.advanceTimersByTimeAsync(1000)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await new CredentialStore({ configDir: dir }).set(tokenOptions(), await tokens)
  } finally {
    vi.useRealTimers()
  }
}

test('says to run oidckit login before anyone has signed in', async () => {
  const err = await callApi({ ...tokenOptions(), apiUrl }).catch((e: unknown) => e)
  expect(isLoginRequired(err)).toBe(true)
  expect((err as Error).message).toContain('oidckit login')
})

test('calls GET /api/me as the user who signed in with oidckit login', async () => {
  await login()
  const me = await callApi({ ...tokenOptions(), apiUrl })
  expect(me).toMatchObject({ sub: 'user-alice', name: 'Alice Liddell', clientId: 'cli' })
})
