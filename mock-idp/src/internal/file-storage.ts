import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MockIdpStorage } from '../config.js'
import { randomToken } from './random.js'

/** `--data-dir`: one JSON file per name, written to a temp file then renamed (atomic on POSIX). */
export function createFileStorage(dir: string): MockIdpStorage {
  let made: Promise<unknown> | undefined
  return {
    async load(name) {
      try {
        return await readFile(join(dir, name), 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw err
      }
    },
    async save(name, data) {
      made ??= mkdir(dir, { recursive: true, mode: 0o700 })
      await made
      const temp = join(dir, `.${name}.${randomToken(6)}.tmp`)
      await writeFile(temp, data, { mode: 0o600 })
      await rename(temp, join(dir, name))
    },
  }
}
