import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { vi } from 'vitest'
import type { FetchLike } from '@oidckit/core'

/** A fresh temporary folder for a credentials file; never the user's real config folder. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'oidckit-test-'))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

let inFlight = 0

/** Counts requests in flight, so fake time only moves while no real I/O is pending. */
export function counted(impl: FetchLike): FetchLike {
  return async (request) => {
    inFlight++
    try {
      return await impl(request)
    } finally {
      inFlight--
    }
  }
}

const realTick = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Moves fake time in 1 s steps until `promise` settles, but only while the code under test is
 * waiting on a timer: not while a request or file I/O is under way. `onTick` runs after each
 * step (to approve a device code once it is shown, say).
 */
export async function settle<T>(
  promise: Promise<T>,
  onTick: () => void = () => undefined,
  maxSeconds = 900,
): Promise<T> {
  let done = false
  const tracked = promise.finally(() => {
    done = true
  })
  tracked.catch(() => undefined)
  for (let elapsed = 0; !done && elapsed < maxSeconds;) {
    if (inFlight > 0 || vi.getTimerCount() === 0) {
      await realTick()
    } else {
      await vi.advanceTimersByTimeAsync(1000)
      await realTick()
      onTick()
      elapsed++
    }
  }
  return tracked
}

export const fakeTime = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
