import { vi } from 'vitest'
import { createMockIdp, defaultConfig } from '@oidckit/mock-idp'
import type { MockIdp, MockIdpClient } from '@oidckit/mock-idp'
import type { FetchLike } from '@oidckit/core'

export const ISSUER = 'http://localhost:9400'
export const API = 'http://localhost:4000'

/** mock-idp in-process with its demo clients, plus `extra` ones. */
export function createIdp(extra: MockIdpClient[] = []): MockIdp {
  const config = defaultConfig()
  return createMockIdp({ ...config, issuer: ISSUER, clients: [...config.clients, ...extra] })
}

export interface Counting {
  fetch: FetchLike
  /** Token endpoint requests sent so far. */
  tokenRequests: () => number
  /** Requests still waiting for an answer. */
  inFlight: () => number
  /** The token requests sent: their `Authorization` header and form. */
  sent: { authorization: string | null; form: URLSearchParams }[]
}

/** Wraps `impl`, counting token requests and requests in flight. */
export function counting(impl: FetchLike): Counting {
  let tokens = 0
  let pending = 0
  const sent: Counting['sent'] = []
  return {
    sent,
    fetch: async (request) => {
      if (new URL(request.url).pathname === '/oauth/token') {
        tokens++
        const form = new URLSearchParams(await request.clone().text())
        sent.push({ authorization: request.headers.get('authorization'), form })
      }
      pending++
      try {
        return await impl(request)
      } finally {
        pending--
      }
    },
    tokenRequests: () => tokens,
    inFlight: () => pending,
  }
}

const realTick = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Under fake timers, moves time in `step` ms steps, only while no request is in flight (signing
 * and key generation run on real threads), until `promise` settles.
 */
export async function settle<T>(
  promise: Promise<T>,
  inFlight: () => number,
  step = 100,
  maxMs = 120_000,
): Promise<T> {
  let done = false
  const tracked = promise.finally(() => {
    done = true
  })
  tracked.catch(() => undefined)
  for (let elapsed = 0; !done && elapsed < maxMs;) {
    if (inFlight() > 0) {
      await realTick()
    } else {
      await vi.advanceTimersByTimeAsync(step)
      await realTick()
      elapsed += step
    }
  }
  return tracked
}

/** A clock the test moves by hand, in milliseconds, starting now. */
export function manualClock() {
  let now = Date.now()
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000
    },
  }
}

/** A fresh ES256 key pair as JWKs, the private one with `kid`. */
export async function clientKeyPair(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid }
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256' }
  return { pair, privateJwk, publicJwk }
}
