import type { JWK } from 'jose'
import { jose } from './internal/jose.js'
import type { MockIdpClock } from './clock.js'
import type { SigningAlg } from './config.js'

/** One signing key: the private half signs, the public half goes into the JWKS. */
export interface SigningKey {
  kid: string
  alg: SigningAlg
  privateKey: CryptoKey
  publicJwk: JWK
}

interface Retired {
  key: Promise<SigningKey>
  retiredAt: number
}

/** The JSON a storage keeps: private JWKs, the current one first. */
export interface PersistedKeys {
  current?: JWK
  retired: { jwk: JWK; retiredAt: number }[]
}

/**
 * The signing keys. Generation is lazy: `createMockIdp()` never waits for an RSA key; the first
 * signature or JWKS request does (once).
 */
export class KeyStore {
  #current: Promise<SigningKey> | undefined
  #retired: Retired[] = []
  readonly #alg: SigningAlg
  readonly #clock: MockIdpClock
  readonly #grace: number
  readonly #extractable: boolean
  /** Called after a key is generated, so a storage can keep it. */
  onChange: () => void = () => undefined

  constructor(options: {
    alg: SigningAlg
    clock: MockIdpClock
    grace: number
    extractable: boolean
  }) {
    this.#alg = options.alg
    this.#clock = options.clock
    this.#grace = options.grace
    this.#extractable = options.extractable
  }

  /** The current signing key, generated on first use. */
  signingKey(): Promise<SigningKey> {
    this.#current ??= this.#generate()
    return this.#current
  }

  /** Starts generating the key now, without waiting for it. */
  warmUp(): void {
    this.signingKey().catch(() => undefined)
  }

  /** The public JWKS: the current key plus retired keys still within the grace period. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = [await this.signingKey()]
    const now = this.#clock.now()
    for (const retired of this.#retired) {
      if (retired.retiredAt + this.#grace > now) keys.push(await retired.key)
    }
    return { keys: keys.map((key) => key.publicJwk) }
  }

  /** Replaces the signing key; the old public key stays in the JWKS for the grace period (AS-8). */
  async rotate(): Promise<void> {
    const old = this.#current
    this.#current = this.#generate()
    if (old) this.#retired.unshift({ key: old, retiredAt: this.#clock.now() })
    const now = this.#clock.now()
    this.#retired = this.#retired.filter((retired) => retired.retiredAt + this.#grace > now)
    await this.#current
  }

  async export(): Promise<PersistedKeys> {
    const { exportJWK } = await jose()
    const toJwk = async (key: SigningKey): Promise<JWK> => ({
      ...(await exportJWK(key.privateKey)),
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
    })
    return {
      current: this.#current ? await toJwk(await this.#current) : undefined,
      retired: await Promise.all(
        this.#retired.map(async (r) => ({ jwk: await toJwk(await r.key), retiredAt: r.retiredAt })),
      ),
    }
  }

  async import(data: PersistedKeys): Promise<void> {
    if (data.current && data.current.alg === this.#alg) {
      this.#current = Promise.resolve(await fromPrivateJwk(data.current, this.#alg))
    }
    this.#retired = []
    for (const retired of data.retired) {
      if (retired.jwk.alg !== this.#alg) continue
      this.#retired.push({
        key: Promise.resolve(await fromPrivateJwk(retired.jwk, this.#alg)),
        retiredAt: retired.retiredAt,
      })
    }
  }

  async #generate(): Promise<SigningKey> {
    const { exportJWK, generateKeyPair } = await jose()
    const { privateKey, publicKey } = await generateKeyPair(this.#alg, {
      extractable: this.#extractable,
      ...(this.#alg === 'RS256' ? { modulusLength: 2048 } : {}),
    })
    const key = await withPublicJwk(privateKey, await exportJWK(publicKey), this.#alg)
    queueMicrotask(() => this.onChange())
    return key
  }
}

async function withPublicJwk(
  privateKey: CryptoKey,
  jwk: JWK,
  alg: SigningAlg,
): Promise<SigningKey> {
  const { calculateJwkThumbprint } = await jose()
  const kid = await calculateJwkThumbprint(jwk)
  return { kid, alg, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } }
}

async function fromPrivateJwk(jwk: JWK, alg: SigningAlg): Promise<SigningKey> {
  const { importJWK } = await jose()
  const privateKey = (await importJWK({ ...jwk, ext: true }, alg)) as CryptoKey
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ext: _ext, ...pub } = jwk
  return withPublicJwk(privateKey, pub, alg)
}
