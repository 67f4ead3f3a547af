import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { afterEach, expect, inject, test, vi } from 'vitest'
import { Client, NetworkError, OAuthError } from '@oidckit/core'

const metadata = {
  issuer: 'https://id.test',
  authorization_endpoint: 'https://id.test/authorize',
  token_endpoint: 'https://id.test/token',
}
const html = async () =>
  new Response('<!doctype html><p>Sign in</p>', { headers: { 'content-type': 'text/html' } })
const invalidGrant = async () =>
  Response.json({ error: 'invalid_grant', error_description: 'used' }, { status: 400 })

afterEach(() => {
  vi.unstubAllEnvs()
})

test('in development, a message goes on with its hint', async () => {
  const err = await Client.discover({ issuer: 'https://id.test', clientId: 'app', fetch: html })
    .then(() => undefined)
    .catch((e: unknown) => e)
  expect(err).toMatchObject({ code: 'ERR_RESPONSE_NOT_JSON' })
  expect((err as Error).message).toMatch(/instead of JSON\. .*Check the issuer URL/)
})

test('with NODE_ENV=production, the code and the one-line message arrive without the hint', async () => {
  vi.stubEnv('NODE_ENV', 'production')
  const err = await Client.discover({ issuer: 'https://id.test', clientId: 'app', fetch: html })
    .then(() => undefined)
    .catch((e: unknown) => e)
  expect(err).toBeInstanceOf(NetworkError)
  expect(err).toMatchObject({
    code: 'ERR_RESPONSE_NOT_JSON',
    status: 200,
    message:
      'https://id.test/.well-known/openid-configuration answered HTTP 200 with text/html instead of JSON.',
  })

  const client = Client.fromMetadata(metadata, { clientId: 'app', fetch: invalidGrant })
  const refused = await client.refresh('a-refresh-token').catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(OAuthError)
  expect(refused).toMatchObject({
    code: 'ERR_OAUTH_RESPONSE',
    error: 'invalid_grant',
    status: 400,
    message: 'The authorization server refused the token request: invalid_grant (used).',
  })
})

// Bundling reads this package from disk, which only the Node project's module URLs allow.
test.skipIf(inject('domExpected'))(
  'a production bundle of core carries codes and one-line messages, and no hint text',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oidckit-core-'))
    try {
      const result = await build({
        stdin: {
          contents: "export { Client, NetworkError, OAuthError } from './src/index.ts'",
          resolveDir: fileURLToPath(new URL('..', import.meta.url)),
          loader: 'ts',
        },
        bundle: true,
        write: false,
        minify: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'silent',
      })
      const code = result.outputFiles[0]!.text
      for (const hint of [
        'raise the `timeout` option',
        'mix-up attack',
        'sign the user in again',
        'a TLS-terminating proxy',
        'Check the issuer URL',
      ]) {
        expect(code).not.toContain(hint)
      }
      const file = join(dir, 'core.mjs')
      await writeFile(file, code)
      const core = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
        Client: typeof Client
        NetworkError: typeof NetworkError
        OAuthError: typeof OAuthError
      }
      const err = await core.Client.discover({
        issuer: 'https://id.test',
        clientId: 'app',
        fetch: html,
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(core.NetworkError)
      expect(err).toMatchObject({
        code: 'ERR_RESPONSE_NOT_JSON',
        message:
          'https://id.test/.well-known/openid-configuration answered HTTP 200 with text/html instead of JSON.',
      })
      const client = core.Client.fromMetadata(metadata, { clientId: 'app', fetch: invalidGrant })
      const refused = await client.refresh('a-refresh-token').catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(core.OAuthError)
      expect(refused).toMatchObject({
        code: 'ERR_OAUTH_RESPONSE',
        error: 'invalid_grant',
        message: 'The authorization server refused the token request: invalid_grant (used).',
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  },
)
