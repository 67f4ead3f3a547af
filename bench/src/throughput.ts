/** Safety bound on the iterations of one timed window, whatever the clock says. */
const MAX_ITERATIONS = 10_000_000

/**
 * Calls `op` back to back for `windowMs` milliseconds and returns operations per second.
 * Awaits each call, so an async operation is measured one at a time.
 */
export async function opsPerSecond(op: () => unknown, windowMs: number): Promise<number> {
  const end = performance.now() + windowMs
  let count = 0
  let start = performance.now()
  let now = start
  // Check the clock every 16 calls: performance.now() is cheap but not free.
  while (now < end && count < MAX_ITERATIONS) {
    for (let i = 0; i < 16; i++) await op()
    count += 16
    now = performance.now()
  }
  if (count === 0) start = now
  return (count / (now - start)) * 1000
}

/**
 * Measures each named operation `runs` times, interleaved (one window of each per round), so
 * that slow phases of a noisy machine spread over all of them. Returns ops/s per run.
 */
export async function interleaved(
  ops: Record<string, () => unknown>,
  runs: number,
  windowMs: number,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {}
  for (const [name, op] of Object.entries(ops)) {
    samples[name] = []
    await opsPerSecond(op, Math.max(20, windowMs / 4)) // warm-up, not counted
  }
  for (let run = 0; run < runs; run++) {
    for (const [name, op] of Object.entries(ops)) {
      samples[name]!.push(await opsPerSecond(op, windowMs))
    }
  }
  return samples
}
