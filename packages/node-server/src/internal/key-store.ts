import { KeyObject } from 'node:crypto'
import { NetworkError, TokenValidationError } from '@oidckit/core'
import type { FetchLike } from '@oidckit/core'
import { createRemoteJWKSet, customFetch, errors } from 'jose'
import { Backoff } from './backoff.js'

export interface KeyStoreOptions {
  jwksUri: string
  fetch?: FetchLike | undefined
  /** Milliseconds before an unknown `kid` may trigger another fetch (RP-3: 60 s). */
  cooldown: number
  /** Milliseconds a fetched JWKS is trusted before it is fetched again (RP-3: 300 s). */
  maxAge: number
  /** Milliseconds before a JWKS request is abandoned. */
  timeout: number
  /** Milliseconds since the epoch: the verifier's clock. */
  now: () => number
  /** Called when keys leave the set, so caches built on them are dropped. */
  onRotate: () => void
}

const MAX_JWKS_BYTES = 1024 * 1024

/**
 * The issuer's signing keys as `node:crypto` KeyObjects, imported once per JWK. jose's remote
 * JWK set fetches and selects keys; this store decides when to fetch, on the verifier's clock:
 * at first use, when the set is `maxAge` old, for an unknown `kid` after `cooldown`, and, after
 * a failed fetch, not before the backoff allows. The hot path is one map lookup.
 */
export class KeyStore {
  readonly #remote: ReturnType<typeof createRemoteJWKSet>
  readonly #keys = new Map<string, KeyObject>()
  readonly #options: KeyStoreOptions
  readonly #backoff: Backoff
  #kids = ''
  #fetchedAt = -Infinity
  #reloading: Promise<void> | undefined
  #generation = 0

  constructor(options: KeyStoreOptions) {
    this.#options = options
    this.#backoff = new Backoff(options.now)
    const userFetch = options.fetch
    this.#remote = createRemoteJWKSet(new URL(options.jwksUri), {
      // jose's own timers read Date.now(); these keep it from fetching on its own.
      cooldownDuration: Infinity,
      cacheMaxAge: Infinity,
      timeoutDuration: options.timeout,
      [customFetch]: (url: string, init: RequestInit) => cappedFetch(url, init, userFetch),
    })
  }

  /** Counts changes of the key set, so a result verified under an older set can be told apart. */
  get generation(): number {
    return this.#generation
  }

  /** When the fetched set stops being trusted (RP-3), in milliseconds since the epoch. */
  get staleAt(): number {
    return this.#fetchedAt + this.#options.maxAge
  }

  /** The key already imported for this header, when the key set is still fresh. */
  cached(id: string): KeyObject | undefined {
    return this.#options.now() < this.#fetchedAt + this.#options.maxAge
      ? this.#keys.get(id)
      : undefined
  }

  /** Selects (fetching or refetching the JWKS as needed) and imports the key for a header. */
  async resolve(id: string, alg: string, kid: string | undefined): Promise<KeyObject> {
    if (this.#options.now() >= this.staleAt) await this.#reload()
    let cryptoKey: CryptoKey
    try {
      cryptoKey = (await this.#remote({ alg, kid })) as CryptoKey
    } catch (err) {
      // RP-3: an unknown kid refetches once, and only from a set at least `cooldown` old.
      const old = this.#options.now() >= this.#fetchedAt + this.#options.cooldown
      if (!(err instanceof errors.JWKSNoMatchingKey) || !old) {
        throw mapJwksError(err, this.#options.jwksUri)
      }
      await this.#reload()
      try {
        cryptoKey = (await this.#remote({ alg, kid })) as CryptoKey
      } catch (again) {
        throw mapJwksError(again, this.#options.jwksUri)
      }
    }
    const key = KeyObject.from(cryptoKey)
    const modulus = key.asymmetricKeyDetails?.modulusLength
    if (key.asymmetricKeyType?.startsWith('rsa') && (modulus === undefined || modulus < 2048)) {
      throw new TokenValidationError(
        'ERR_JWT_INVALID',
        'The signing key is an RSA key shorter than 2048 bits.',
        { claim: 'kid', reason: 'unsupported' },
      )
    }
    this.#keys.set(id, key)
    return key
  }

  /** One fetch at a time; while a failed fetch's backoff lasts, its error without a fetch. */
  #reload(): Promise<void> {
    const waiting = this.#backoff.pending()
    if (waiting !== undefined) return Promise.reject(waiting as Error)
    this.#reloading ??= this.#remote
      .reload()
      .then(
        () => {
          this.#backoff.succeeded()
          this.#fetchedAt = this.#options.now()
          this.#noticeRotation()
        },
        (err: unknown) => {
          const mapped = mapJwksError(err, this.#options.jwksUri)
          this.#backoff.failed(mapped)
          throw mapped
        },
      )
      .finally(() => {
        this.#reloading = undefined
      })
    return this.#reloading
  }

  #noticeRotation(): void {
    const jwks = this.#remote.jwks()
    if (!jwks) return
    const kids = jwks.keys.map((k) => `${k.kid ?? ''}:${k.kty}:${k.n ?? k.x ?? ''}`).join(',')
    if (kids === this.#kids) return
    const first = this.#kids === ''
    this.#kids = kids
    this.#generation += 1
    this.#keys.clear()
    if (!first) this.#options.onRotate()
  }
}

async function cappedFetch(
  url: string,
  init: RequestInit,
  userFetch: FetchLike | undefined,
): Promise<Response> {
  const request = new Request(url, init)
  // RP-10: a custom fetch may ignore the signal (or stall mid-body): race it, so jose's timeout
  // still ends the request instead of leaving every verify() waiting on one JWKS fetch.
  const signal = init.signal ?? undefined
  const response = await abortable(userFetch ? userFetch(request) : fetch(request), signal)
  if (response.status >= 500) {
    await response.body?.cancel().catch(() => undefined)
    throw new NetworkError(
      'ERR_SERVER_ERROR',
      `The JWKS at ${url} answered with HTTP ${response.status}.`,
      { url, status: response.status },
    )
  }
  if (response.status !== 200 || !response.body) return response
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal)
      if (done) break
      size += value.byteLength
      if (size > MAX_JWKS_BYTES) {
        throw new NetworkError(
          'ERR_RESPONSE_TOO_LARGE',
          `The JWKS at ${url} is larger than 1 MiB.`,
          { url, status: response.status },
        )
      }
      chunks.push(value)
    }
  } catch (err) {
    void reader.cancel().catch(() => undefined)
    throw err
  }
  const body = Buffer.concat(chunks)
  // RP-10: an HTML page or garbled JSON is a bad answer, not a bad status.
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  let json = type === 'application/json' || type === 'application/jwk-set+json'
  if (json) {
    try {
      JSON.parse(body.toString('utf8'))
    } catch {
      json = false
    }
  }
  if (!json) {
    throw new NetworkError(
      'ERR_RESPONSE_NOT_JSON',
      `The JWKS at ${url} is not a JSON document (${type ?? 'no content-type'}).`,
      { url, status: response.status },
    )
  }
  return new Response(body, { status: 200, headers: response.headers })
}

function mapJwksError(err: unknown, url: string): Error {
  if (err instanceof NetworkError || err instanceof TokenValidationError) return err
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new TokenValidationError(
      'ERR_JWKS_NO_MATCHING_KEY',
      'No key in the issuer JWKS matches the token header, even after a refetch.',
      { claim: 'kid', reason: 'mismatch', cause: err },
    )
  }
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenValidationError(
      'ERR_JWKS_NO_MATCHING_KEY',
      'Several keys in the issuer JWKS match the token header; it needs a kid.',
      { claim: 'kid', reason: 'invalid', cause: err },
    )
  }
  if (err instanceof errors.JOSENotSupported) {
    return new TokenValidationError('ERR_JWT_INVALID', 'The token alg is not supported.', {
      claim: 'alg',
      reason: 'unsupported',
      cause: err,
    })
  }
  if (err instanceof errors.JWKSTimeout) {
    return new NetworkError('ERR_TIMEOUT', `The JWKS request to ${url} timed out.`, {
      url,
      cause: err,
    })
  }
  if (err instanceof errors.JWKSInvalid) {
    return new NetworkError('ERR_RESPONSE_INVALID', `The JWKS at ${url} is malformed.`, {
      url,
      cause: err,
    })
  }
  if (err instanceof errors.JOSEError) {
    return new NetworkError('ERR_UNEXPECTED_STATUS', `The JWKS at ${url} could not be read.`, {
      url,
      cause: err,
    })
  }
  return new NetworkError('ERR_CONNECTION_FAILED', `The JWKS at ${url} could not be fetched.`, {
    url,
    cause: err,
  })
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) {
    promise.catch(() => undefined)
    return Promise.reject(signal.reason as Error)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err as Error)
      },
    )
  })
}
