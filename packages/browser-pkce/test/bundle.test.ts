// @vitest-environment node
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * The source modules a minimal SPA bundles, with the bytes each adds to it; with `firstLoad`, only
 * those the page loads first (each dynamic `import()` left out, as a bundler splits it off).
 */
async function bundledModules(contents: string, firstLoad = false): Promise<Map<string, number>> {
  const result = await build({
    plugins: firstLoad
      ? [
          {
            name: 'lazy-imports-external',
            setup: (b) =>
              b.onResolve({ filter: /.*/ }, (args) =>
                args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
              ),
          },
        ]
      : [],
    stdin: { contents, resolveDir: fileURLToPath(new URL('..', import.meta.url)) },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@oidckit/source'],
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    absWorkingDir: root,
    logLevel: 'silent',
  })
  const [output] = Object.values(result.metafile.outputs)
  return new Map(
    Object.entries(output!.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path, input]) => [path, input.bytesInOutput]),
  )
}

test('a public client SPA bundles no other grant and no client authentication', async () => {
  const modules = await bundledModules(`
    import { createBrowserAuth } from './src/index.ts'
    const auth = createBrowserAuth({ issuer: 'https://id.test', clientId: 'spa', redirectUri: 'https://app.test/cb' })
    await auth.login()
  `)
  const core = [...modules.keys()].filter((path) => path.startsWith('packages/core/src/'))
  expect(core).toContain('packages/core/src/authorization-code-grant.ts')
  expect(core).toContain('packages/core/src/refresh-grant.ts')
  for (const unused of [
    'client.ts',
    'client-credentials-grant.ts',
    'device-authorization.ts',
    'poll-device-token.ts',
    'introspect.ts',
    'userinfo.ts',
    'client-authentication.ts',
    'internal/client-auth.ts',
  ]) {
    expect(core).not.toContain(`packages/core/src/${unused}`)
  }
})

test('a redirect-login SPA loads the popup, logout and PAR code only when it calls them', async () => {
  const app = `
    import { createBrowserAuth } from './src/index.ts'
    const auth = createBrowserAuth({ issuer: 'https://id.test', clientId: 'spa', redirectUri: 'https://app.test/cb' })
    if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
    else await auth.login()
    await auth.getAccessToken()
  `
  const first = [...(await bundledModules(app, true)).keys()]
  const all = [...(await bundledModules(app)).keys()]
  for (const lazy of [
    'packages/browser-pkce/src/internal/popup-login.ts',
    'packages/browser-pkce/src/internal/end-session.ts',
    'packages/browser-pkce/src/internal/par.ts',
    'packages/core/src/revoke.ts',
    'packages/core/src/end-session-url.ts',
    'packages/core/src/push-authorization-request.ts',
  ]) {
    expect(first).not.toContain(lazy)
    expect(all).toContain(lazy)
  }
  // Needed at once: opening the popup within the click, and the popup's own callback page.
  expect(first).toContain('packages/browser-pkce/src/internal/popup.ts')
})
