import { afterAll, vi } from 'vitest'

// Test files share a worker and its module graph (`isolate: false` in vitest.shared.ts), so
// each file hands the next one the globals it found: real timers, the real environment and
// globals, and, under a DOM, empty storage and an empty document.
afterAll(() => {
  vi.useRealTimers()
  vi.unstubAllEnvs()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  if (typeof localStorage !== 'undefined') localStorage.clear()
  if (typeof sessionStorage !== 'undefined') sessionStorage.clear()
  if (typeof document !== 'undefined') document.body.replaceChildren()
})
