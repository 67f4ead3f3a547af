import { homedir } from 'node:os'
import { join } from 'node:path'

type Env = Record<string, string | undefined>

/**
 * Where the credentials live: `OIDCKIT_CONFIG_DIR`, else `$XDG_CONFIG_HOME/oidckit`, else the
 * platform's per-user config folder.
 */
export function resolveConfigDir(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.OIDCKIT_CONFIG_DIR) return env.OIDCKIT_CONFIG_DIR
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'oidckit')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'oidckit')
  if (platform === 'win32') {
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'oidckit')
  }
  return join(home, '.config', 'oidckit')
}
