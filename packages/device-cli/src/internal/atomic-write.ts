import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'

/**
 * Replaces `path` with `data` so that a reader sees either the old file or the new one, never a
 * part: write a temp file (mode 0600) in the same folder, fsync it, rename it over `path`, then
 * fsync the folder. Any failure (a full disk, a crash) leaves the old file as it was.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  )
  let renamed = false
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(data, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
    renamed = true
    await syncDir(dirname(path))
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined)
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; not possible on every platform (Windows), so best effort.
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // ignored: the data is already written and renamed
  }
}
