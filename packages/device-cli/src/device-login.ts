import { Client, NetworkError, OAuthError } from '@oidckit/core'
import type { DeviceAuthorization, FetchLike, TokenSet } from '@oidckit/core'
import { openInBrowser } from './internal/open-browser.js'

/** What the user needs to approve the login; handed to `onCode`. Never the `device_code`. */
export interface DeviceCode {
  /** The code the user enters, or compares, at the verification page. */
  userCode: string
  /** The page where the user enters `userCode`. */
  verificationUri: string
  /** The same page with the code filled in, when the provider offers it (for a QR code). */
  verificationUriComplete: string | undefined
  /** Seconds since the epoch (from `clock`) when the code stops working. */
  expiresAt: number
}

/** Options of {@link deviceLogin}. */
export interface DeviceLoginOptions {
  /** The issuer URL; discovery finds the device authorization endpoint. */
  issuer: string
  /** A public client registered for the device code grant. */
  clientId: string
  /** The scope to ask for; add `offline_access` for a refresh token. */
  scope?: string | undefined
  /** Shows the code to the user; called once, before polling starts. */
  onCode: (code: DeviceCode) => void | Promise<void>
  /** Stops the login at once: rejects with NetworkError `ERR_ABORTED`. */
  signal?: AbortSignal | undefined
  /**
   * `true` opens the verification page in the default browser (errors ignored); a function is
   * called with the URL instead. Default: no browser.
   */
  openBrowser?: boolean | ((url: string) => void | Promise<void>) | undefined
  /** A fetch, e.g. mock-idp's `idp.fetch` in tests. */
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: (() => number) | undefined
  /** `slow_down` answers after which the login stops with a clock hint; default 3. */
  maxSlowDowns?: number | undefined
  /** Seconds added to the provider's polling interval, against clock jitter; default 0.5. */
  intervalMargin?: number | undefined
}

/**
 * Signs a user in with the device authorization grant: asks for a code, hands it to `onCode`,
 * optionally opens the browser, and polls until the user approves. It prints nothing.
 *
 * @throws OAuthError `access_denied` (the user declined), `expired_token` or
 *   `ERR_DEVICE_CODE_EXPIRED` (too late), `slow_down` (repeated: the clock is likely off);
 *   NetworkError `ERR_ABORTED` when `signal` fires, `ERR_RESPONSE_INVALID` for a non-web
 *   verification URI; DiscoveryError; TypeError on bad options.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3 (RP-19)
 * @example
 * ```ts
 * const tokens = await deviceLogin({
 *   issuer: 'http://localhost:9400',
 *   clientId: 'cli',
 *   scope: 'openid profile offline_access',
 *   onCode: ({ userCode, verificationUri }) => {
 *     console.error(`Open ${verificationUri} and check that it shows ${userCode}`)
 *   },
 * })
 * ```
 */
export async function deviceLogin(options: DeviceLoginOptions): Promise<TokenSet> {
  if (typeof options !== 'object' || options === null || typeof options.onCode !== 'function') {
    throw argumentError('ERR_INVALID_ARG_TYPE', 'deviceLogin() needs `onCode`, a function.')
  }
  const maxSlowDowns = options.maxSlowDowns ?? 3
  const margin = options.intervalMargin ?? 0.5
  const stop = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal
  const seen: { tokenEndpoint?: string; slowDowns: number } = { slowDowns: 0 }
  const base = options.fetch ?? ((request: Request) => fetch(request))
  // Core's poller does not report slow_down answers, so count them on the way past.
  const watched: FetchLike = async (request) => {
    const response = await base(request)
    if (seen.tokenEndpoint !== undefined && request.url === seen.tokenEndpoint) {
      const error = response.status === 400 ? await errorCode(response) : undefined
      if (error === 'slow_down') seen.slowDowns++
      if (seen.slowDowns >= maxSlowDowns) stop.abort(clockDrift(seen.slowDowns))
    }
    return response
  }
  const client = await Client.discover({
    issuer: options.issuer,
    clientId: options.clientId,
    fetch: watched,
    clock: options.clock,
  })
  seen.tokenEndpoint = client.issuer.metadata.token_endpoint
  const device = await client.deviceAuthorization({ scope: options.scope, signal })
  checkWebUrl(device.verificationUri, 'verification_uri')
  if (device.verificationUriComplete !== undefined) {
    checkWebUrl(device.verificationUriComplete, 'verification_uri_complete')
  }
  await options.onCode({
    userCode: device.userCode,
    verificationUri: device.verificationUri,
    verificationUriComplete: device.verificationUriComplete,
    expiresAt: device.expiresAt,
  })
  const url = device.verificationUriComplete ?? device.verificationUri
  if (options.openBrowser === true) openInBrowser(url)
  else if (typeof options.openBrowser === 'function') {
    try {
      await options.openBrowser(url)
    } catch {
      // ignored: the user has the URL from onCode
    }
  }
  const paced: DeviceAuthorization = { ...device, interval: device.interval + margin }
  try {
    return await client.pollDeviceToken(paced, { signal })
  } catch (err) {
    if (stop.signal.aborted && !options.signal?.aborted) throw stop.signal.reason
    throw err
  }
}

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = await response.clone().json()
    const error = (body as { error?: unknown } | null)?.error
    return typeof error === 'string' ? error : undefined
  } catch {
    return undefined
  }
}

function clockDrift(count: number): OAuthError {
  return new OAuthError(
    'ERR_OAUTH_RESPONSE',
    `The provider asked to slow down ${count} times, although polling kept to its interval: this computer's clock is probably drifting. Sync the clock (e.g. \`timedatectl set-ntp true\`), then run \`oidckit login\` again.`,
    { error: 'slow_down' },
  )
}

function checkWebUrl(value: string, name: string): void {
  let protocol: string | undefined
  try {
    protocol = new URL(value).protocol
  } catch {
    protocol = undefined
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new NetworkError(
      'ERR_RESPONSE_INVALID',
      `The provider's ${name} is not an http(s) URL; refusing to show or open it.`,
    )
  }
}

function argumentError(code: 'ERR_INVALID_ARG_TYPE', message: string): TypeError {
  return Object.assign(new TypeError(message), { code })
}
