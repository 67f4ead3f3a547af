import type { FetchLike } from '@oidckit/core'

/** Where tokens are kept: `memory` (default), `session` (sessionStorage) or `local` (localStorage). */
export type TokenStorageKind = 'memory' | 'session' | 'local'

/** The part of the Web Storage API the package uses; `sessionStorage` and `localStorage` fit. */
export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** The part of the Web Locks API the package uses; `navigator.locks` fits. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

/** The part of `BroadcastChannel` the package uses. */
export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/** The address bar: read it, navigate away, and rewrite it without a navigation. */
export interface BrowserLocation {
  /** The current URL. */
  href(): string
  /** Navigates to `url` (`location.assign`). */
  assign(url: string): void
  /** Replaces the current URL without a navigation (`history.replaceState`). */
  replace(url: string): void
}

/** A window-like object for popup logins. */
export interface PopupWindow {
  closed: boolean
  close(): void
  location: { href: string } | Location
}

/** Browser seams that tests and unusual hosts replace; each defaults to the real browser API. */
export interface BrowserAdapters {
  /** Where per-login transactions live; default `sessionStorage`. */
  transactionStorage?: KeyValueStorage | undefined
  /** Storage shared by all tabs of the origin, holding only a generation counter; default `localStorage`. */
  sharedStorage?: KeyValueStorage | undefined
  /** Default `navigator.locks`, else a lock within this tab only. */
  locks?: LockManagerLike | undefined
  /** Default a `BroadcastChannel` named after the issuer and client; `null` turns tab sync off. */
  channel?: ChannelLike | null | undefined
  /** Default `window.location` and `history.replaceState`. */
  location?: BrowserLocation | undefined
  /** Opens the login popup; default `window.open`. */
  openPopup?: ((name: string) => PopupWindow | null) | undefined
  /** Receives the popup's `message` events and `online`; default `window`. */
  window?: EventTarget | undefined
  /** Fires `visibilitychange`; default `document`. */
  document?: (EventTarget & { visibilityState?: string }) | undefined
}

/**
 * Options of {@link createBrowserAuth}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 * @example
 * ```ts
 * const options: BrowserAuthOptions = {
 *   issuer: 'http://localhost:9400',
 *   clientId: 'spa',
 *   redirectUri: 'http://localhost:5173/callback',
 * }
 * ```
 */
export interface BrowserAuthOptions {
  /** The issuer identifier; its discovery document gives every endpoint. */
  issuer: string
  /** The registered public client's `client_id`. */
  clientId: string
  /** The registered redirect URI, on this app's origin. */
  redirectUri: string
  /** Default `openid profile email offline_access`. */
  scope?: string | undefined
  /** Where the provider sends the browser after logout; registered with the client. */
  postLogoutRedirectUri?: string | undefined
  /** Default `memory`: tokens never touch Web Storage unless the app opts in. */
  storage?: TokenStorageKind | KeyValueStorage | undefined
  /** Default the global `fetch`. */
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: (() => number) | undefined
  /** Seconds before expiry at which the access token is renewed. Default 60. */
  refreshLeeway?: number | undefined
  /** Seconds of clock difference tolerated on token times. Default 30. */
  clockTolerance?: number | undefined
  /** Milliseconds before a request to the provider is abandoned. Default 10 000. */
  timeout?: number | undefined
  /** Extra authorization request parameters sent with every login (e.g. `audience`, `resource`). */
  authorizationParams?: Record<string, string> | undefined
  /** Browser seams; see {@link BrowserAdapters}. */
  adapters?: BrowserAdapters | undefined
}
