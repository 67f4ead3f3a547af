// Loaded by `loginWithPopup()` only (a dynamic import): apps that log in by redirect never
// download it.
import { OAuthError } from '@oidckit/core'
import type { PopupWindow } from '../browser-auth-options.js'
import { popupMessageType } from './popup.js'

const accessDenied = (message: string, errorDescription: string) =>
  new OAuthError('ERR_AUTHORIZATION_RESPONSE', message, {
    error: 'access_denied',
    errorDescription,
  })

/**
 * The popup login after the popup was opened: sends it to the authorization URL, waits for its
 * callback URL and completes the login with `complete`. The popup is closed in every case.
 */
export async function popupLogin(
  popup: PopupWindow | null,
  authorizationUrl: () => Promise<string>,
  target: EventTarget,
  expectedOrigin: string,
  complete: (href: string) => Promise<{ returnTo: string }>,
): Promise<{ returnTo: string }> {
  if (!popup) throw accessDenied('The browser blocked the login popup.', 'popup blocked')
  try {
    popup.location.href = await authorizationUrl()
    return await complete(await waitForPopupCallback(popup, target, expectedOrigin))
  } finally {
    popup.close()
  }
}

/**
 * Waits for the popup to post its callback URL. C-13: the sender must be that popup and its
 * origin must equal the redirect URI's origin, compared as exact strings.
 */
function waitForPopupCallback(
  popup: PopupWindow,
  target: EventTarget,
  expectedOrigin: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: Event) => {
      const { origin, source, data } = event as MessageEvent
      if (origin !== expectedOrigin || source !== popup) return
      if (typeof data !== 'object' || data === null) return
      const message = data as { type?: unknown; url?: unknown }
      if (message.type !== popupMessageType || typeof message.url !== 'string') return
      done()
      resolve(message.url)
    }
    const timer = setInterval(() => {
      if (!popup.closed) return
      done()
      reject(accessDenied('The login popup was closed.', 'popup closed'))
    }, 500)
    const done = () => {
      clearInterval(timer)
      target.removeEventListener('message', onMessage)
    }
    target.addEventListener('message', onMessage)
  })
}
