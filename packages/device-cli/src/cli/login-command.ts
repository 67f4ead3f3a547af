import { CredentialStore } from '../credential-store.js'
import { deviceLogin } from '../device-login.js'
import { openInBrowser } from '../internal/open-browser.js'
import { isLoginRequired } from '../login-required.js'
import type { CliIo, CommandContext } from './io.js'
import { showCode, showSignedIn, showWaiting, showWarning } from './presenter.js'

export interface LoginCommandOptions extends CommandContext {
  /** `--no-browser`: show the URL only. */
  noBrowser: boolean
}

/** `oidckit login`: the device flow, then the tokens into the credential store. */
export async function loginCommand(options: LoginCommandOptions): Promise<void> {
  const { io } = options
  const store = new CredentialStore({ env: io.env })
  try {
    await store.get(options)
  } catch (err) {
    // A corrupt file was moved aside: say where, and sign in afresh.
    if (!isLoginRequired(err)) throw err
    showWarning(io, err.message)
  }
  const opening = shouldOpenBrowser(io, options.noBrowser)
  let stopWaiting = () => {}
  try {
    const tokens = await deviceLogin({
      issuer: options.issuer,
      clientId: options.clientId,
      scope: options.scope,
      signal: io.signal,
      fetch: io.fetch,
      clock: io.clock,
      onCode: (code) => {
        showCode(io, code, options.json, opening)
        stopWaiting = showWaiting(io, code.expiresAt)
      },
      openBrowser: opening ? (io.openBrowser ?? ((url) => openInBrowser(url, io.platform))) : false,
    })
    stopWaiting()
    await store.set(options, tokens)
    const claims = tokens.claims() as { sub?: string; name?: unknown } | undefined
    showSignedIn(
      io,
      {
        issuer: options.issuer,
        clientId: options.clientId,
        scope: options.scope,
        subject: claims?.sub,
        name: typeof claims?.name === 'string' ? claims.name : undefined,
        expiresAt: tokens.expiresAt,
      },
      options.json,
    )
  } finally {
    stopWaiting()
  }
}

/** Not with `--no-browser`, not in CI, not over SSH, and not without a display. */
export function shouldOpenBrowser(io: CliIo, noBrowser: boolean): boolean {
  const env = io.env
  if (noBrowser || env.CI || env.SSH_CONNECTION || env.SSH_TTY) return false
  if (io.platform === 'darwin' || io.platform === 'win32') return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}
