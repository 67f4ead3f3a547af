#!/usr/bin/env node
import { realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { get } from 'node:http'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { MockIdpConfig } from './config.js'
import { createMockIdp } from './create-mock-idp.js'
import { defaultConfig } from './default-config.js'
import { MockIdpConfigError } from './errors.js'
import { createFileStorage } from './internal/file-storage.js'
import { randomToken } from './internal/random.js'
import type { MockIdpServer } from './listen.js'

const USAGE = `Usage: mock-idp [--port 9400] [--host localhost] [--issuer URL] [--config FILE] [--data-dir DIR]
Env: MOCK_IDP_PORT, MOCK_IDP_ISSUER, MOCK_IDP_ADMIN_TOKEN`

/** What `main()` leaves running: the server and a way to stop it. */
export interface CliHandle {
  server: MockIdpServer
  issuer: string
  /** What the control API takes as `Authorization: Bearer <adminToken>`; unset when it is off. */
  adminToken: string | undefined
  stop(): Promise<void>
}

interface Io {
  env: Record<string, string | undefined>
  out: (line: string) => void
  err: (line: string) => void
}

/** A one-line failure the CLI reports and exits 1 on. */
class CliError extends Error {}

async function loadConfig(file: string): Promise<MockIdpConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new CliError(
      `cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  try {
    return JSON.parse(text) as MockIdpConfig
  } catch (err) {
    throw new CliError(`config ${file} is not valid JSON: ${(err as Error).message}`)
  }
}

function describe(config: MockIdpConfig): string[] {
  const lines = ['clients:']
  for (const client of config.clients ?? []) {
    const secret = client.clientSecret ? ` secret=${client.clientSecret}` : ' (public)'
    const redirects = client.redirectUris?.length
      ? ` redirect=${client.redirectUris.join(',')}`
      : ''
    lines.push(
      `  ${client.clientId}${secret} grants=${(client.grantTypes ?? []).join(',')}${redirects}`,
    )
  }
  lines.push('users:')
  for (const user of config.users ?? [])
    lines.push(`  ${user.username} / ${user.password} (sub ${user.sub})`)
  return lines
}

/**
 * Starts mock-idp from command-line arguments; resolves once discovery answers. Throws a
 * CliError-like message on bad input or a taken port (the bin turns it into exit code 1).
 */
export async function main(argv: string[], io: Io = defaultIo()): Promise<CliHandle> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        issuer: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`)
  }
  if (values.help) {
    io.out(USAGE)
    throw new CliError('')
  }
  const fileConfig = values.config ? await loadConfig(values.config) : {}
  const chosenIssuer = values.issuer ?? io.env.MOCK_IDP_ISSUER ?? fileConfig.issuer
  // One setting moves both: an issuer with a port and no port given listens on that port.
  const portText = values.port ?? io.env.MOCK_IDP_PORT ?? (issuerPort(chosenIssuer) || '9400')
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new CliError(`--port must be a number from 0 to 65535, not ${portText}`)
  }
  const port = Number(portText)
  const host = values.host ?? 'localhost'
  const bare = defaultConfig()
  const issuer = chosenIssuer ?? (port === 9400 && host === 'localhost' ? bare.issuer : undefined)
  const controlApi = fileConfig.controlApi ?? true
  // Any web page could reach a listener on localhost; a secret it cannot know guards the API.
  const adminToken = controlApi
    ? io.env.MOCK_IDP_ADMIN_TOKEN || fileConfig.adminToken || randomToken(32)
    : undefined
  const config: MockIdpConfig = {
    clients: bare.clients,
    users: bare.users,
    ...fileConfig,
    controlApi,
    ...(adminToken ? { adminToken } : {}),
    ...(issuer ? { issuer } : {}),
    ...(values['data-dir'] ? { storage: createFileStorage(values['data-dir']) } : {}),
  }
  let idp
  try {
    idp = createMockIdp(config)
  } catch (err) {
    if (err instanceof MockIdpConfigError) {
      const file = err.key !== undefined && values.config ? ` (in ${values.config})` : ''
      throw new CliError(`invalid config: ${err.message}${file}`)
    }
    throw err
  }
  let server: MockIdpServer
  try {
    server = await idp.listen({ port, host })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${host} is already in use`)
    throw new CliError(`cannot listen on ${host}:${port}: ${code ?? (err as Error).message}`)
  }
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`
  const issuerUrl = new URL(idp.issuer)
  const status = await probe(
    `${base}${issuerUrl.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`,
  )
  if (status !== 200) throw new CliError(`discovery answered ${status}`)
  const listening =
    new URL(base).origin === issuerUrl.origin ? idp.issuer : `${base} (issuer ${idp.issuer})`
  io.out(`mock-idp listening on ${listening}`)
  for (const line of describe(config)) io.out(line)
  if (adminToken) io.out(`control API (/_mock/): Authorization: Bearer ${adminToken}`)
  io.out(`dashboard: ${idp.issuer}/${adminToken ? ' (asks for the admin token once)' : ''}`)
  void idp.jwks() // generate the signing key now, after the server answers
  return {
    server,
    issuer: idp.issuer,
    adminToken,
    async stop() {
      await server.close()
      await idp.flush()
    },
  }
}

/** GET over node:http (global fetch would load undici, tens of ms at start-up). */
function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', reject)
  })
}

function defaultIo(): Io {
  return { env: process.env, out: (line) => console.log(line), err: (line) => console.error(line) }
}

async function run(): Promise<void> {
  let handle: CliHandle
  try {
    handle = await main(process.argv.slice(2))
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (message) console.error(`mock-idp: ${message}`)
    process.exit(err instanceof CliError && message === '' ? 0 : 1)
  }
  const shutdown = () => {
    handle.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

function isEntryPoint(): boolean {
  try {
    // The bin is usually a symlink (node_modules/.bin/mock-idp): compare real paths.
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href
  } catch {
    return false
  }
}

if (isEntryPoint()) void run()

/** The port written in an issuer URL, or '' when it names none or is not a URL. */
function issuerPort(issuer: string | undefined): string {
  if (issuer === undefined || !URL.canParse(issuer)) return ''
  return new URL(issuer).port
}
