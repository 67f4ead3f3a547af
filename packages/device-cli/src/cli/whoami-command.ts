import { Client } from '@oidckit/core'
import { getTokenSet } from '../get-token.js'
import { loginRequired } from '../login-required.js'
import type { CommandContext } from './io.js'
import { showClaims } from './presenter.js'

/**
 * `oidckit whoami`: the UserInfo claims (their `sub` checked against the ID token's, RP-6), or the
 * stored ID token's claims when the provider has no UserInfo endpoint.
 */
export async function whoamiCommand(options: CommandContext): Promise<void> {
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
  const idClaims = tokens.claims()
  if (!idClaims) {
    throw loginRequired(
      'The stored login has no ID token. Run `oidckit login` with a scope that includes `openid`.',
    )
  }
  const client = await Client.discover({
    issuer: options.issuer,
    clientId: options.clientId,
    fetch: io.fetch,
    clock: io.clock,
  })
  const claims = client.issuer.metadata.userinfo_endpoint
    ? await client.userinfo(tokens, { signal: io.signal })
    : idClaims
  showClaims(io, claims as Record<string, unknown>, options.json)
}
