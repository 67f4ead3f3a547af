import { deviceAuthorizationRequest, processDeviceAuthorizationResponse } from 'oauth4webapi'
import type { ClientConfig } from './client-config.js'
import { clientAuth, now, request } from './internal/request.js'
import type { DeviceAuthorization, RequestOptions } from './types.js'

/** Options of `requestDeviceAuthorization()`: `scope` and any extra string parameter. */
export interface DeviceAuthorizationOptions extends RequestOptions {
  /** Space-separated scopes. */
  scope?: string | undefined
  /** Extra parameters of the device authorization request, sent as given. */
  [parameter: string]: unknown
}

/**
 * Starts the device authorization grant: returns the `userCode` and `verificationUri` to show
 * the user. Then call `pollDeviceToken()`.
 *
 * @throws OAuthError `ERR_OAUTH_RESPONSE`; DiscoveryError `ERR_ENDPOINT_NOT_SUPPORTED`;
 *   NetworkError.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 * @example
 * ```ts
 * import { requestDeviceAuthorization } from '@oidckit/core'
 *
 * const device = await requestDeviceAuthorization(config, { scope: 'openid offline_access' })
 * console.log(`Open ${device.verificationUri} and enter ${device.userCode}`)
 * ```
 */
export async function requestDeviceAuthorization(
  config: ClientConfig,
  options?: DeviceAuthorizationOptions,
): Promise<DeviceAuthorization> {
  const parameters = new URLSearchParams()
  for (const [key, value] of Object.entries(options ?? {})) {
    if (key !== 'signal' && typeof value === 'string') parameters.set(key, value)
  }
  return request(config, 'device', options?.signal, async (req, client) => {
    const response = await deviceAuthorizationRequest(
      config.metadata,
      client,
      clientAuth(config),
      parameters,
      req,
    )
    const result = await processDeviceAuthorizationResponse(config.metadata, client, response)
    return {
      deviceCode: result.device_code,
      userCode: result.user_code,
      verificationUri: result.verification_uri,
      verificationUriComplete: result.verification_uri_complete,
      expiresIn: result.expires_in,
      expiresAt: Math.floor(now(config) / 1000) + result.expires_in,
      interval: result.interval ?? 5,
    }
  })
}
