/** How long and how often each benchmark measures. */
export interface BenchConfig {
  /** Runs per figure; every figure is the median of its runs. */
  runs: number
  /** Milliseconds of each timed window of an in-process throughput loop. */
  windowMs: number
  /** Seconds of each autocannon run. */
  loadSeconds: number
  /** Seconds of the autocannon warm-up of each server (not counted). */
  warmupSeconds: number
  /** Child-process cold starts per server. */
  coldStarts: number
  /** In-process starts of createMockIdp(). */
  inProcessStarts: number
  /** Iterations of the cached getToken() loop, per run. */
  loopIterations: number
  /** Logins per run. */
  logins: number
}

export const FULL: BenchConfig = {
  runs: 7,
  windowMs: 1000,
  loadSeconds: 5,
  warmupSeconds: 2,
  coldStarts: 11,
  inProcessStarts: 101,
  loopIterations: 200_000,
  logins: 30,
}

export const QUICK: BenchConfig = {
  runs: 3,
  windowMs: 200,
  loadSeconds: 2,
  warmupSeconds: 1,
  coldStarts: 5,
  inProcessStarts: 31,
  loopIterations: 50_000,
  logins: 10,
}

/** One pass of everything, for the smoke test: shapes, not speeds. */
export const SMOKE: BenchConfig = {
  runs: 1,
  windowMs: 20,
  loadSeconds: 1,
  warmupSeconds: 0,
  coldStarts: 1,
  inProcessStarts: 3,
  loopIterations: 1000,
  logins: 1,
}
