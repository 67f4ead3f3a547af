import { deviceCodeGrantRequest, processDeviceCodeResponse } from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import { OAuthError } from './errors.js'
import { argumentError, assertString, isObject } from './internal/assert.js'
import { withHint } from './internal/hints.js'
import { clientAuth, now, request, toTokenSet } from './internal/request.js'
import { abortedError, sleep } from './internal/sleep.js'
import type { TokenSet } from './token-set.js'
import type { DeviceAuthorization, RequestOptions } from './types.js'

/**
 * Polls the token endpoint until the user approves the device: waits `interval` before each
 * poll, keeps polling on `authorization_pending`, adds 5 s on `slow_down` for this and every
 * later poll, and stops when the code expires.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE` with `access_denied` / `expired_token`, or
 *   `ERR_DEVICE_CODE_EXPIRED` when `expiresIn` ran out locally; NetworkError `ERR_ABORTED` at
 *   once when `signal` fires; TypeError `ERR_INVALID_ARG_TYPE` without a device authorization.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @example
 * ```ts
 * import { pollDeviceToken } from '@oidckit/core'
 *
 * const tokens = await pollDeviceToken(config, device, { signal: AbortSignal.timeout(600_000) })
 * ```
 */
export async function pollDeviceToken<Claims extends object = object>(
  config: ClientConfig,
  device: DeviceAuthorization,
  options?: RequestOptions,
): Promise<TokenSet<Claims>> {
  if (!isObject(device)) {
    throw argumentError(
      'ERR_INVALID_ARG_TYPE',
      'pollDeviceToken() needs the result of deviceAuthorization().',
    )
  }
  assertString(device.deviceCode, '`device.deviceCode`')
  const signal = options?.signal
  let interval = typeof device.interval === 'number' && device.interval >= 0 ? device.interval : 5
  for (;;) {
    await sleep(interval * 1000, signal)
    if (now(config) / 1000 >= device.expiresAt) {
      throw new OAuthError(
        'ERR_DEVICE_CODE_EXPIRED',
        withHint('The device code expired before the user approved it.', 'deviceExpired'),
        { error: 'expired_token' },
      )
    }
    try {
      return await request(config, 'device', signal, async (req, client) => {
        const response = await deviceCodeGrantRequest(
          config.metadata,
          client,
          clientAuth(config),
          device.deviceCode,
          req,
        )
        const result = await processDeviceCodeResponse(config.metadata, client, response)
        return toTokenSet<Claims>(config, response, result, req)
      })
    } catch (err) {
      if (signal?.aborted) throw abortedError(signal)
      if (err instanceof OAuthError && err.error === 'authorization_pending') continue
      // RFC 8628 §3.5: slow_down adds 5 s to this and every later interval.
      if (err instanceof OAuthError && err.error === 'slow_down') {
        interval += 5
        continue
      }
      throw err
    }
  }
}
