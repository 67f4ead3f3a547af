// mock-idp's demo clients, with their redirect URIs moved to the ports the apps run on.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** mock-idp's bare configuration, from its build. */
export async function loadDefaultConfig(root) {
  const entry = join(root, 'mock-idp/dist/index.js')
  if (!existsSync(entry)) {
    throw new Error('mock-idp is not built: run `pnpm build`, or `pnpm start` without --no-build')
  }
  const { defaultConfig } = await import(pathToFileURL(entry).href)
  return defaultConfig()
}

/**
 * Writes the config file `mock-idp --config` reads: the default clients and users, with every
 * `http://localhost:<default port>` of an app replaced by the app's origin in this run.
 */
export function writeIdpConfig(file, config, apps) {
  let text = JSON.stringify({ clients: config.clients, users: config.users }, null, 2)
  for (const app of apps) {
    if (app.port === undefined || app.port === app.defaultPort) continue
    for (const host of ['localhost', '127.0.0.1']) {
      text = text.replaceAll(`"http://${host}:${app.defaultPort}/`, `"http://${host}:${app.port}/`)
    }
  }
  writeFileSync(file, text + '\n')
}
