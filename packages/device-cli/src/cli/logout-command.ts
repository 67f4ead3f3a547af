import { logout } from '../logout.js'
import type { CommandContext } from './io.js'
import { showMessage } from './presenter.js'

/** `oidckit logout`: revoke the refresh token at the provider, then forget it. */
export async function logoutCommand(options: CommandContext): Promise<void> {
  const { io } = options
  const found = await logout({
    issuer: options.issuer,
    clientId: options.clientId,
    scope: options.scope,
    env: io.env,
    fetch: io.fetch,
    clock: io.clock,
    signal: io.signal,
  })
  showMessage(
    io,
    found
      ? `Signed out of ${options.issuer}; the refresh token was revoked.`
      : `You were not signed in to ${options.issuer}.`,
    options.json,
    { signedOut: found, issuer: options.issuer },
  )
}
