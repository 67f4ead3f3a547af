import { open, readFile, stat, unlink } from 'node:fs/promises'
import { setTimeout as pause } from 'node:timers/promises'

export interface FileLockOptions {
  /** A lock older than this (ms) is stale and taken over; default 30 s. */
  staleMs?: number
  /** Pause between attempts (ms); default 50. */
  retryMs?: number
}

/**
 * Runs `fn` while holding `path` as an exclusive lock file, created with `O_EXCL` and holding the
 * owner's pid. A lock whose process is gone, or that is older than `staleMs`, is stale: it is
 * removed and the lock taken. Released (deleted) when `fn` settles.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 30_000
  const retryMs = options.retryMs ?? 50
  const token = `${process.pid} ${Date.now()} ${Math.random()}`
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600)
      try {
        await handle.writeFile(token, 'utf8')
      } finally {
        await handle.close()
      }
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    if (await isStale(path, staleMs)) {
      await unlink(path).catch(() => undefined)
      continue
    }
    await pause(retryMs)
  }
  try {
    return await fn()
  } finally {
    // Only remove our own lock: a stale-lock takeover may have replaced it.
    const current = await readFile(path, 'utf8').catch(() => undefined)
    if (current === token) await unlink(path).catch(() => undefined)
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    if (Date.now() - info.mtimeMs > staleMs) return true
    const pid = Number.parseInt(content.split(' ')[0] ?? '', 10)
    // An empty file is a lock whose owner has not written its pid yet: wait for it.
    if (!Number.isInteger(pid) || pid <= 0) return false
    return !isAlive(pid)
  } catch {
    return false
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
