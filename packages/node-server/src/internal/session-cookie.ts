import type { JWTPayload } from 'jose'
import { serializeCookie } from './cookies.js'
import { seal, unseal } from './sealed.js'

const CHUNK = 3800
const MAX_CHUNKS = 10

export interface SessionCookieOptions {
  /** The cookie name; chunks are `name.0`, `name.1`, … */
  name: string
  /** Session keys from `deriveKeys(secrets, 'session')`; the first seals. */
  keys: readonly Uint8Array[]
  secure: boolean
  sameSite: 'Lax' | 'Strict'
}

/**
 * The session cookie: a sealed (JWE) payload, split over `name.0` … `name.9` when it is longer
 * than one cookie may safely be, and every stale chunk cleared when it is rewritten.
 */
export class SessionCookie {
  readonly #options: SessionCookieOptions

  constructor(options: SessionCookieOptions) {
    this.#options = options
  }

  /** The raw (sealed) value the request carries, joined from its chunks. */
  raw(cookies: Map<string, string>): string | undefined {
    const { name } = this.#options
    const whole = cookies.get(name)
    if (whole) return whole
    let joined = ''
    for (let i = 0; i < MAX_CHUNKS && cookies.has(`${name}.${i}`); i++) {
      joined += cookies.get(`${name}.${i}`)
    }
    return joined || undefined
  }

  /** The unsealed payload; `undefined` when absent, tampered with, foreign or expired. */
  async read(cookies: Map<string, string>, now: number): Promise<JWTPayload | undefined> {
    const value = this.raw(cookies)
    return value ? unseal(value, this.#options.keys, now) : undefined
  }

  /** Set-Cookie lines sealing `payload` until `exp` (seconds), replacing what `cookies` held. */
  async write(
    payload: JWTPayload,
    exp: number,
    now: number,
    cookies: Map<string, string>,
  ): Promise<string[]> {
    return this.writeRaw(await seal(payload, this.#options.keys, exp), exp - now, cookies)
  }

  /** Set-Cookie lines writing `value` as is (chunked when large) and clearing stale chunks. */
  writeRaw(value: string, maxAge: number, cookies: Map<string, string>): string[] {
    const { name } = this.#options
    const lines: string[] = []
    const chunks =
      value.length <= CHUNK ? [value] : (value.match(new RegExp(`.{1,${CHUNK}}`, 'g')) ?? [])
    if (chunks.length === 1) {
      lines.push(this.#line(name, value, maxAge))
    } else {
      chunks.forEach((chunk, i) => lines.push(this.#line(`${name}.${i}`, chunk, maxAge)))
      if (cookies.has(name)) lines.push(this.#line(name, '', 0))
    }
    for (let i = chunks.length === 1 ? 0 : chunks.length; i < MAX_CHUNKS; i++) {
      if (cookies.has(`${name}.${i}`)) lines.push(this.#line(`${name}.${i}`, '', 0))
    }
    return lines
  }

  /** Set-Cookie lines deleting every part of the session cookie the request carried. */
  clear(cookies: Map<string, string>): string[] {
    const { name } = this.#options
    return [name, ...Array.from({ length: MAX_CHUNKS }, (_, i) => `${name}.${i}`)]
      .filter((part) => cookies.has(part))
      .map((part) => this.#line(part, '', 0))
  }

  #line(name: string, value: string, maxAge: number): string {
    const { secure, sameSite } = this.#options
    return serializeCookie(name, value, { secure, sameSite, maxAge })
  }
}
