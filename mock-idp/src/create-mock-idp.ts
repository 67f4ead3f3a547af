import { BackchannelLogout, watchedClock } from './backchannel.js'
import { Clients } from './clients.js'
import { createClock } from './clock.js'
import type { MockIdpConfig } from './config.js'
import { Controls } from './controls.js'
import { FaultQueue } from './faults.js'
import type { IdpContext } from './internal/context.js'
import { registerStore } from './internal/inspect.js'
import { resolveConfig } from './internal/resolve-config.js'
import { KeyStore } from './keys.js'
import { serveHandler } from './listen.js'
import type { MockIdp } from './mock-idp.js'
import { Persistence } from './persistence.js'
import { RequestLog } from './request-log.js'
import { createRouter } from './router.js'
import { Store } from './store.js'
import { Users } from './users.js'

/**
 * Creates a mock OpenID Provider. Synchronous and cheap: keys are generated on first need.
 *
 * @throws MockIdpConfigError when the config is invalid.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 * @example
 * const idp = createMockIdp({ autoLogin: 'alice' })
 * const server = await idp.listen({ port: 0 })
 */
export function createMockIdp(config: MockIdpConfig = {}): MockIdp {
  const resolved = resolveConfig(config)
  // Moving the clock runs the back-channel retries it reaches.
  const clock = watchedClock(createClock(), () => backchannel.runDue())
  const keys = new KeyStore({
    alg: resolved.signingAlg,
    clock,
    grace: resolved.keyRotationGrace,
    extractable: resolved.storage !== undefined,
  })
  const store = new Store(clock)
  const persistence = new Persistence(resolved.storage, keys, store)
  const ctx: IdpContext = {
    config: resolved,
    clock,
    keys,
    store,
    users: new Users(resolved, store, clock),
    clients: new Clients(resolved, store, clock),
    sessionEnded: (session) => backchannel.notify(session),
  }
  keys.onChange = () => persistence.save()
  store.onChange = keys.onChange
  const log = new RequestLog()
  const faults = new FaultQueue()
  const backchannel = new BackchannelLogout(ctx, log)
  const controls = new Controls(ctx, { faults, log, backchannel, persistence })
  const handle = createRouter(ctx, { controls, log, faults, ready: persistence.ready })

  const idp: MockIdp = {
    get issuer() {
      return resolved.issuer
    },
    clock,
    fetch: (request) => handle(request, undefined),
    async listen(options = {}) {
      await persistence.ready
      const server = await serveHandler(handle, options)
      if (!resolved.issuerConfigured) resolved.issuer = server.url
      // A long-running server drops expired records on a timer, judged by the idp clock.
      const stopSweeping = store.startSweeping()
      return {
        ...server,
        close: () => {
          stopSweeping()
          return server.close()
        },
      }
    },
    issueTokens: (options) => controls.issueTokens(options),
    rotateKeys: () => controls.rotateKeys(),
    jwks: () => controls.jwks(),
    addUser: (user) => controls.addUser(user),
    updateUser: (username, patch) => controls.updateUser(username, patch),
    endSessions: (username) => controls.endSessions(username),
    approveDevice: (userCode, username) => controls.approveDevice(userCode, username),
    denyDevice: (userCode) => controls.denyDevice(userCode),
    injectFault: (fault) => controls.injectFault(fault),
    clearFaults: () => controls.clearFaults(),
    requests: () => controls.requests(),
    clearRequests: () => controls.clearRequests(),
    reset: () => controls.reset(),
    flush: () => controls.flush(),
  }
  registerStore(idp, store)
  return idp
}
