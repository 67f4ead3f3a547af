// End-to-end: the built SPA, mock-idp and the example API over loopback, driven in Debian's
// Chromium through playwright-core. Run with `pnpm test:e2e`.
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMockIdp, defaultConfig } from '@oidckit/mock-idp'
import { createApi } from 'example-express-api/app'
import { chromium, type Browser, type Page } from 'playwright-core'
import { build } from 'vite'

const root = fileURLToPath(new URL('..', import.meta.url))
const shots = join(root, 'test-results')

const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
}

function serveDist(dist: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const file = path.startsWith('/assets/') ? join(dist, path) : join(dist, 'index.html')
    try {
      const body = await readFile(file)
      // C-14: the callback page sends no referrer.
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'referrer-policy': 'no-referrer',
      })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

const portOf = (server: Server) => (server.address() as AddressInfo).port

async function logIn(page: Page, app: string, issuer: string) {
  await page.goto(`${app}/`)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(`${issuer}/oauth/authorize?**`)
  await page.fill('input[name=username]', 'alice')
  await page.fill('input[name=password]', 'alice-password')
  await page.locator('form button[type=submit], form input[type=submit]').first().click()
  await page.getByTestId('user-name').waitFor()
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

async function main() {
  // Every server on a free port, so the test runs beside `pnpm start`; the app is built into a
  // folder of its own with those addresses, and mock-idp's demo SPA client is registered there.
  const dist = await mkdtemp(join(tmpdir(), 'oidckit-spa-e2e-'))
  const web = await serveDist(dist)
  const app = `http://localhost:${portOf(web)}`
  const demo = defaultConfig()
  const idp = createMockIdp({
    clients: demo.clients.map((client) =>
      client.clientId === 'spa'
        ? { ...client, redirectUris: [`${app}/callback`], postLogoutRedirectUris: [`${app}/`] }
        : client,
    ),
    users: demo.users,
    accessTokenTtl: 120,
  })
  const idpServer = await idp.listen({ port: 0, host: '127.0.0.1' })
  const issuer = idp.issuer
  const api = await new Promise<Server>((resolve, reject) => {
    const s = createApi({ issuer, corsOrigins: [app] }).listen(0, '127.0.0.1', () => resolve(s))
    s.once('error', reject)
  })
  process.env.VITE_OIDC_ISSUER = issuer
  process.env.VITE_API_URL = `http://127.0.0.1:${portOf(api)}`
  process.env.VITE_APP_ORIGIN = app
  await build({ root, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } })
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })

  const tests: [string, () => Promise<void>][] = [
    [
      'logs in on the real login page, calls the API, survives a reload, logs out',
      async () => {
        const context = await browser.newContext()
        const page = await context.newPage()
        await logIn(page, app, issuer)
        assert(
          (await page.getByTestId('user-name').textContent()) === 'Alice Liddell',
          'shows Alice',
        )
        assert(new URL(page.url()).search === '', `code and state are gone from ${page.url()}`)
        await page.getByRole('button', { name: 'Call API' }).click()
        const result = page.getByTestId('api-result')
        await result.waitFor()
        const text = (await result.textContent()) ?? ''
        assert(text.startsWith('200') && text.includes('Mad Hatter'), `API answered: ${text}`)
        await page.screenshot({ path: join(shots, 'signed-in.png') })
        await page.reload()
        await page.getByTestId('user-name').waitFor()
        await page.getByRole('button', { name: 'Log out' }).click()
        await page.waitForURL(`${app}/`)
        await page.getByRole('button', { name: 'Log in' }).waitFor()
        await context.close()
      },
    ],
    [
      'RP-20: two tabs refreshing at once make one refresh request and no invalid_grant',
      async () => {
        const context = await browser.newContext()
        await context.clock.install()
        const first = await context.newPage()
        await logIn(first, app, issuer)
        const second = await context.newPage()
        await second.goto(`${app}/`)
        await second.getByTestId('user-name').waitFor()
        idp.clearRequests()
        // The access tokens (120 s) expire by the browsers' clock; the ID token (1 h) does not.
        await context.clock.fastForward('05:00')
        await Promise.all([
          first.getByRole('button', { name: 'Call API' }).click(),
          second.getByRole('button', { name: 'Call API' }).click(),
        ])
        for (const page of [first, second]) {
          await page.getByTestId('api-result').waitFor()
          const text = (await page.getByTestId('api-result').textContent()) ?? ''
          assert(text.startsWith('200'), `API answered: ${text}`)
        }
        const token = idp.requests().filter((r) => r.endpoint === 'token')
        const refreshes = token.filter((r) => r.params.grant_type === 'refresh_token')
        assert(refreshes.length === 1, `expected one refresh request, saw ${refreshes.length}`)
        assert(
          token.every((r) => r.status === 200),
          'no token request failed (no invalid_grant)',
        )
        await context.close()
      },
    ],
    [
      'C-1: a tampered callback URL shows an error and does not sign in',
      async () => {
        const context = await browser.newContext()
        const page = await context.newPage()
        await page.goto(
          `${app}/callback?code=forged&state=forged&iss=${encodeURIComponent(issuer)}`,
        )
        const alert = page.getByRole('alert')
        await alert.waitFor()
        assert(/state is unknown/.test((await alert.textContent()) ?? ''), 'explains the state')
        assert((await page.getByRole('button', { name: 'Log in' }).count()) === 1, 'signed out')
        await page.screenshot({ path: join(shots, 'tampered-callback.png') })
        await context.close()
      },
    ],
  ]

  let passed = 0
  let failed = 0
  for (const [name, run] of tests) {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        run(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out after 60 s')), 60_000)
        }),
      ])
      passed++
      console.log(`  ✓ ${name}`)
    } catch (err) {
      failed++
      console.log(`  ✗ ${name}\n    ${(err as Error).stack ?? String(err)}`)
    } finally {
      clearTimeout(timer)
    }
  }
  await browser.close()
  await new Promise((resolve) => web.close(resolve))
  await new Promise((resolve) => api.close(resolve))
  await idpServer.close()
  await rm(dist, { recursive: true, force: true })
  console.log(`e2e: ${passed} passed, ${failed} failed`)
  process.exitCode = failed === 0 ? 0 : 1
}

main().catch((err: unknown) => {
  console.error(err)
  console.log('e2e: 0 passed, 1 failed')
  process.exit(1)
})
