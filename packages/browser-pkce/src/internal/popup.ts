import { OAuthError } from '@oidckit/core'
import type { PopupWindow } from '../browser-auth-options.js'

export const popupName = 'oidckit-login'
export const popupMessageType = 'oidckit:callback'

export function defaultOpenPopup(name: string): PopupWindow | null {
  const width = 500
  const height = 650
  const left = Math.max(0, (globalThis.screen?.width ?? width) / 2 - width / 2)
  const top = Math.max(0, (globalThis.screen?.height ?? height) / 2 - height / 2)
  return globalThis.open?.(
    'about:blank',
    name,
    `popup,width=${width},height=${height},left=${left},top=${top}`,
  ) as PopupWindow | null
}

/**
 * Waits for the popup to post its callback URL. C-13: the sender must be that popup and its
 * origin must equal the redirect URI's origin, compared as exact strings.
 */
export function waitForPopupCallback(
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
      reject(
        new OAuthError('ERR_AUTHORIZATION_RESPONSE', 'The login popup was closed.', {
          error: 'access_denied',
          errorDescription: 'popup closed',
        }),
      )
    }, 500)
    const done = () => {
      clearInterval(timer)
      target.removeEventListener('message', onMessage)
    }
    target.addEventListener('message', onMessage)
  })
}

/** In the popup: hand the callback URL to the opener on our own origin only (never `*`). */
export function postToOpener(href: string): boolean {
  const w = globalThis as unknown as {
    opener?: { postMessage(m: unknown, origin: string): void } | null
    name?: string
    close?: () => void
  }
  if (!w.opener || w.name !== popupName) return false
  w.opener.postMessage({ type: popupMessageType, url: href }, new URL(href).origin)
  return true
}
