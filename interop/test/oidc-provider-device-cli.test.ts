import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@oidckit/core'
import {
  CredentialStore,
  deviceLogin,
  getTokenSet,
  logout,
  OAuthError,
  type DeviceCode,
} from '@oidckit/device-cli'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { approveDevice, startOidcProvider, type RunningProvider } from '../src/oidc-provider'
import { UserAgent } from '../src/user-agent'

let op: RunningProvider
let configDir: string
beforeAll(async () => {
  op = await startOidcProvider()
  configDir = await mkdtemp(join(tmpdir(), 'oidckit-interop-'))
})
afterAll(async () => {
  await op?.close()
  if (configDir) await rm(configDir, { recursive: true, force: true })
})

const scope = 'openid email offline_access'

test.concurrent(
  'RP-19: deviceLogin signs in once the user approves on oidc-provider; the store refreshes and logs out',
  async () => {
    const codes: DeviceCode[] = []
    let approval: Promise<string> | undefined
    const tokens = await deviceLogin({
      issuer: op.issuer,
      clientId: 'cli',
      scope,
      signal: AbortSignal.timeout(30_000),
      onCode: (code) => {
        codes.push(code)
        approval = approveDevice(new UserAgent(), code.verificationUri, code.userCode, 'alice')
      },
    })
    expect(codes).toHaveLength(1)
    expect(codes[0]!.verificationUri).toBe(`${op.issuer}/device`)
    expect(JSON.stringify(codes[0])).not.toContain('device_code')
    expect(await approval).toContain('Sign-in Success')
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: 'cli', iss: op.issuer })
    expect(tokens.refreshToken).toEqual(expect.any(String))

    const key = { issuer: op.issuer, clientId: 'cli', scope }
    await new CredentialStore({ configDir }).set(key, tokens)
    // A minValidity beyond the token's lifetime makes getTokenSet refresh at oidc-provider.
    const refreshed = await getTokenSet({ ...key, configDir, minValidity: 24 * 3600 })
    expect(refreshed.accessToken).not.toBe(tokens.accessToken)
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken)
    expect((await new CredentialStore({ configDir }).get(key))?.tokens.refreshToken).toBe(
      refreshed.refreshToken,
    )

    expect(await logout({ ...key, configDir })).toBe(true)
    const cli = await Client.discover({ issuer: op.issuer, clientId: 'cli' })
    expect((await cli.introspect(refreshed.refreshToken!)).active).toBe(false)
    const after = await getTokenSet({ ...key, configDir }).catch((e: unknown) => e)
    expect((after as OAuthError).error).toBe('login_required')
  },
)

test.concurrent(
  "RP-19: deviceLogin ends with access_denied when the user aborts on oidc-provider's page",
  async () => {
    const err = await deviceLogin({
      issuer: op.issuer,
      clientId: 'cli',
      scope,
      signal: AbortSignal.timeout(30_000),
      onCode: (code) => {
        void approveDevice(new UserAgent(), code.verificationUri, code.userCode, 'alice', {
          abort: true,
        })
      },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).error).toBe('access_denied')
  },
)
