import { getTokenSet } from '../get-token.js'
import type { CommandContext } from './io.js'

/** `oidckit token`: a fresh access token and nothing else on stdout. */
export async function tokenCommand(options: CommandContext): Promise<void> {
  const { io } = options
  const tokens = await getTokenSet({
    issuer: options.issuer,
    clientId: options.clientId,
    scope: options.scope,
    env: io.env,
    fetch: io.fetch,
    clock: io.clock,
    signal: io.signal,
  })
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ accessToken: tokens.accessToken, tokenType: tokens.tokenType, expiresAt: tokens.expiresAt })}\n`
      : `${tokens.accessToken}\n`,
  )
}
