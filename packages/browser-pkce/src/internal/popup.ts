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
