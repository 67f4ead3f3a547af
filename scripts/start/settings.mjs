// Where `pnpm start` runs each thing: every port comes from an env var, so two copies (or a test)
// can run side by side, and mock-idp's port and issuer always move together.

/** A setting `pnpm start` cannot use; its message names the variable to fix. */
export class SettingsError extends Error {}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The example apps `pnpm start` runs, in start order (the API before its callers). */
export const APPS = [
  { name: 'express-api', portEnv: 'EXPRESS_API_PORT', defaultPort: 4000 },
  { name: 'web-server', portEnv: 'WEB_SERVER_PORT', defaultPort: 3000 },
  { name: 'spa-react', portEnv: 'SPA_REACT_PORT', defaultPort: 5173 },
  { name: 'service', portEnv: undefined, defaultPort: undefined },
]

function parsePort(name, text) {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new SettingsError(`${name} must be a port number from 1 to 65535, not "${text}"`)
  }
  return Number(text)
}

function parseIssuer(text) {
  let url
  try {
    url = new URL(text)
  } catch {
    throw new SettingsError(
      `MOCK_IDP_ISSUER must be a URL such as http://localhost:9400, not "${text}"`,
    )
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new SettingsError(
      `MOCK_IDP_ISSUER must have no query, fragment or credentials: "${text}"`,
    )
  }
  return url
}

/**
 * mock-idp's port, issuer and listening host (as in a URL: `[::1]` for IPv6) from `MOCK_IDP_PORT` and `MOCK_IDP_ISSUER`: either
 * one alone sets both (`MOCK_IDP_PORT=9401` → issuer `http://localhost:9401`, and the issuer
 * `http://localhost:9401` → port 9401); both may be given only when they agree, or when the
 * issuer is a name in front of mock-idp (a proxy) rather than a loopback address.
 */
function resolveIdp(env) {
  const portText = env.MOCK_IDP_PORT || undefined
  const issuerText = env.MOCK_IDP_ISSUER || undefined
  if (!issuerText) {
    const port = portText === undefined ? 9400 : parsePort('MOCK_IDP_PORT', portText)
    return { port, host: 'localhost', issuer: `http://localhost:${port}` }
  }
  const url = parseIssuer(issuerText)
  const issuer = url.href.replace(/\/$/, '')
  const loopback = LOOPBACK.has(url.hostname)
  const issuerPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  if (portText === undefined) {
    if (url.protocol !== 'http:' || !loopback) {
      throw new SettingsError(
        `mock-idp serves plain HTTP on this machine: with MOCK_IDP_ISSUER=${issuerText}, set MOCK_IDP_PORT to the port it listens on behind your proxy`,
      )
    }
    return { port: issuerPort, host: url.hostname, issuer }
  }
  const port = parsePort('MOCK_IDP_PORT', portText)
  if (loopback && url.protocol === 'http:' && port !== issuerPort) {
    throw new SettingsError(
      `MOCK_IDP_PORT=${port} and MOCK_IDP_ISSUER=${issuerText} disagree: set one of them, the other follows`,
    )
  }
  return { port, host: loopback ? url.hostname : 'localhost', issuer }
}

/**
 * Every address `pnpm start` uses, from the environment.
 *
 * @throws SettingsError for a malformed port or issuer, two settings that disagree, or two
 *   things given the same port.
 */
export function resolveSettings(env) {
  const idp = resolveIdp(env)
  const apps = APPS.map((app) => {
    if (app.portEnv === undefined) return { ...app, port: undefined, origin: undefined }
    const text = env[app.portEnv] || undefined
    const port = text === undefined ? app.defaultPort : parsePort(app.portEnv, text)
    return { ...app, port, origin: `http://localhost:${port}` }
  })
  const owners = new Map([[idp.port, 'MOCK_IDP_PORT']])
  for (const app of apps) {
    if (app.port === undefined) continue
    const other = owners.get(app.port)
    if (other) {
      throw new SettingsError(
        `${app.portEnv} and ${other} are both ${app.port}: give each its own port`,
      )
    }
    owners.set(app.port, app.portEnv)
  }
  const byName = Object.fromEntries(apps.map((app) => [app.name, app]))
  return { idp, apps, byName }
}
