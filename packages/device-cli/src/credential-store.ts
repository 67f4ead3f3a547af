import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { TokenSet } from '@oidckit/core'
import type { TokenSetJSON } from '@oidckit/core'
import { writeFileAtomic } from './internal/atomic-write.js'
import { resolveConfigDir } from './internal/config-dir.js'
import { withFileLock } from './internal/file-lock.js'
import { ensurePrivateDir } from './internal/private-dir.js'
import { loginRequired } from './login-required.js'
import { normalizeScope } from './internal/settings.js'

/** What a stored credential is filed under: one entry per issuer + client + scope. */
export interface CredentialKey {
  issuer: string
  clientId: string
  scope: string
}

/** One stored credential: its key, the tokens (`TokenSet.toJSON()`), and when it was saved. */
export interface StoredCredential extends CredentialKey {
  tokens: TokenSetJSON
  /** Milliseconds since the epoch. */
  savedAt: number
}

/** Where the store lives. */
export interface CredentialStoreOptions {
  /** The folder of `credentials.json`; default from `env` (see `CredentialStore`). */
  configDir?: string | undefined
  /** The environment to read `OIDCKIT_CONFIG_DIR` and `XDG_CONFIG_HOME` from; default `process.env`. */
  env?: Record<string, string | undefined> | undefined
  /** A lock older than this many milliseconds is taken over; default 30 000. */
  staleLockMs?: number | undefined
}

/** Reads and writes of one locked transaction: see `CredentialStore.transaction()`. */
export interface CredentialTransaction {
  get(key: CredentialKey): StoredCredential | undefined
  set(key: CredentialKey, tokens: TokenSet | TokenSetJSON): void
  delete(key: CredentialKey): boolean
}

interface CredentialsFile {
  version: 1
  credentials: Record<string, StoredCredential>
}

/**
 * The per-user credential file, `credentials.json` in `OIDCKIT_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/oidckit`, else the platform's config folder (`~/.config/oidckit`,
 * `~/Library/Application Support/oidckit`, `%APPDATA%\oidckit`). The file is mode 0600 in a 0700
 * folder and always replaced atomically; writers take a lock file, so two processes never lose
 * each other's updates. A corrupt file is moved aside to `credentials.json.corrupt-<time>`, never
 * overwritten. An existing folder that others can write to is set to 0700 when this user owns
 * it; otherwise every read and write refuses it.
 *
 * @throws Error with `code` `ERR_CONFIG_DIR_INSECURE` (and `path`) from every method when the
 *   folder is group- or world-writable and cannot be made private; the message names the fix.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14 (RP-20)
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-5.6 (RP-19: tokens stored 0600)
 * @example
 * ```ts
 * const store = new CredentialStore()
 * const entry = await store.get({ issuer: 'http://localhost:9400', clientId: 'cli', scope: 'openid' })
 * console.log(entry?.tokens.expiresAt)
 * ```
 */
export class CredentialStore {
  /** The folder holding the credentials. */
  readonly dir: string
  /** The credentials file. */
  readonly path: string
  readonly #staleLockMs: number | undefined

  constructor(options: CredentialStoreOptions = {}) {
    this.dir = options.configDir ?? resolveConfigDir(options.env ?? process.env)
    this.path = join(this.dir, 'credentials.json')
    this.#staleLockMs = options.staleLockMs
  }

  /**
   * The stored credential for `key`, or `undefined`.
   *
   * @throws OAuthError `login_required` when the file is corrupt (it is moved aside first).
   */
  async get(key: CredentialKey): Promise<StoredCredential | undefined> {
    const file = await this.#readOrRecover()
    return file.credentials[keyOf(key)]
  }

  /** Every stored credential. @throws OAuthError `login_required` when the file is corrupt. */
  async list(): Promise<StoredCredential[]> {
    return Object.values((await this.#readOrRecover()).credentials)
  }

  /** Stores `tokens` under `key`, replacing what was there. */
  async set(key: CredentialKey, tokens: TokenSet | TokenSetJSON): Promise<void> {
    await this.transaction((tx) => tx.set(key, tokens), { recoverCorrupt: true })
  }

  /** Forgets `key`; `true` when there was an entry. */
  async delete(key: CredentialKey): Promise<boolean> {
    return this.transaction((tx) => tx.delete(key))
  }

  /**
   * Runs `fn` under the store's lock with the file as it is now, then writes the file back
   * atomically if `fn` changed it. Use it to refresh a token at most once across processes.
   *
   * @throws OAuthError `login_required` when the file is corrupt and `recoverCorrupt` is not set
   *   (the file is moved aside either way).
   */
  async transaction<T>(
    fn: (tx: CredentialTransaction) => T | Promise<T>,
    options: { recoverCorrupt?: boolean } = {},
  ): Promise<T> {
    await this.#ensureDir()
    return withFileLock(
      `${this.path}.lock`,
      async () => {
        const read = await this.#read()
        let file: CredentialsFile
        if ('corrupt' in read) {
          const error = await this.#moveAside(read)
          if (!options.recoverCorrupt) throw error
          file = emptyFile()
        } else {
          file = read.file
        }
        let changed = false
        const tx: CredentialTransaction = {
          get: (key) => file.credentials[keyOf(key)],
          set: (key, tokens) => {
            const json = tokens instanceof TokenSet ? tokens.toJSON() : tokens
            // Validates the shape before anything is written.
            TokenSet.fromJSON(json)
            const scope = normalizeScope(key.scope)
            file.credentials[keyOf(key)] = {
              issuer: key.issuer,
              clientId: key.clientId,
              scope,
              tokens: JSON.parse(JSON.stringify(json)) as TokenSetJSON,
              savedAt: Date.now(),
            }
            changed = true
          },
          delete: (key) => {
            const k = keyOf(key)
            if (!(k in file.credentials)) return false
            delete file.credentials[k]
            changed = true
            return true
          },
        }
        const result = await fn(tx)
        if (changed) await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`)
        return result
      },
      this.#staleLockMs === undefined ? {} : { staleMs: this.#staleLockMs },
    )
  }

  async #readOrRecover(): Promise<CredentialsFile> {
    if (!(await ensurePrivateDir(this.dir, false))) return emptyFile()
    const read = await this.#read()
    if (!('corrupt' in read)) return read.file
    // Check again under the lock (another process may have just replaced the file): throws after
    // moving a still-corrupt file aside, else the file is readable now.
    await this.transaction(() => undefined)
    return this.#readOrRecover()
  }

  async #read(): Promise<{ file: CredentialsFile } | { corrupt: string; cause: unknown }> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: emptyFile() }
      throw err
    }
    try {
      return { file: parseFile(text) }
    } catch (cause) {
      return { corrupt: (cause as Error).message, cause }
    }
  }

  async #moveAside(read: { corrupt: string; cause: unknown }) {
    const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
    await rename(this.path, aside)
    return loginRequired(
      `The credentials file ${this.path} was unreadable (${read.corrupt}); it was moved to ${aside}. Run \`oidckit login\` to sign in again.`,
      read.cause,
    )
  }

  async #ensureDir(): Promise<void> {
    await ensurePrivateDir(this.dir, true)
  }
}

function keyOf(key: CredentialKey): string {
  return JSON.stringify([key.issuer, key.clientId, normalizeScope(key.scope)])
}

function emptyFile(): CredentialsFile {
  return { version: 1, credentials: {} }
}

function parseFile(text: string): CredentialsFile {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    // JSON.parse quotes the text around the fault, and the file holds tokens (RP-10).
    throw new SyntaxError('not valid JSON')
  }
  if (!isRecord(data) || data.version !== 1 || !isRecord(data.credentials)) {
    throw new SyntaxError('not an oidckit credentials file, version 1')
  }
  for (const entry of Object.values(data.credentials)) {
    const ok =
      isRecord(entry) &&
      typeof entry.issuer === 'string' &&
      typeof entry.clientId === 'string' &&
      typeof entry.scope === 'string' &&
      isRecord(entry.tokens) &&
      typeof entry.tokens.accessToken === 'string' &&
      typeof entry.tokens.tokenType === 'string'
    if (!ok) throw new SyntaxError('a stored credential is malformed')
  }
  return data as unknown as CredentialsFile
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
