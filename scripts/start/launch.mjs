// How each example app is started, and how `pnpm start` knows it is up.
import { join } from 'node:path'

/**
 * The command, environment and readiness check of one app, pointed at mock-idp and at the other
 * apps' ports, and the app it waits for (`after`). Apps run straight under `node` (TypeScript
 * through tsx's loader), one process each, never through a package manager that would sit
 * between them and their signals.
 */
export function launchSpec(root, app, settings) {
  const dir = join(root, 'examples', app.name)
  const { issuer } = settings.idp
  const api = settings.byName['express-api']
  const spa = settings.byName['spa-react']
  const node = (args, env, ready, show, after) => ({
    command: process.execPath,
    args,
    cwd: dir,
    env: { ...process.env, MOCK_IDP_ISSUER: issuer, ...env },
    ready,
    show,
    after,
  })
  const tsx = ['--import', 'tsx', 'src/main.ts']
  switch (app.name) {
    case 'express-api':
      return node(
        tsx,
        {
          PORT: String(app.port),
          CORS_ORIGINS: [spa.origin, spa.origin.replace('localhost', '127.0.0.1')].join(','),
        },
        { url: `${app.origin}/api/public` },
        `${app.origin}/api/public`,
      )
    case 'web-server':
      return node(tsx, { PORT: String(app.port) }, { url: `${app.origin}/` }, `${app.origin}/`)
    case 'spa-react':
      return node(
        [join(dir, 'node_modules/vite/bin/vite.js'), '--port', String(app.port), '--strictPort'],
        { VITE_OIDC_ISSUER: issuer, VITE_API_URL: api.origin, VITE_APP_ORIGIN: app.origin },
        { url: `${app.origin}/` },
        `${app.origin}/`,
      )
    case 'service': {
      const seconds = Number(process.env.INTERVAL_MS ?? 5000) / 1000
      return node(
        tsx,
        { API_URL: api.origin },
        // Up once it has called the API, whatever the answer (the API may be skipped).
        { logLine: /^GET \/api\/data/m },
        `calls ${api.origin}/api/data every ${seconds} s`,
        'express-api',
      )
    }
    default:
      throw new Error(`no launch recipe for ${app.name}`)
  }
}
