import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')

/** What one autocannon run reports. */
export interface LoadResult {
  requestsPerSecond: number
  p99Ms: number
  non2xx: number
  errors: number
}

export interface LoadOptions {
  url: string
  seconds: number
  connections?: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

/**
 * Runs autocannon in its own process (so the load generator does not share the server's
 * event loop) and returns its JSON summary. Fails if any request errored or was not 2xx, so
 * a broken setup never passes for a fast one.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    autocannonBin,
    '--json',
    '-c',
    String(options.connections ?? 10),
    '-d',
    String(options.seconds),
    '-m',
    options.method ?? 'GET',
  ]
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    args.push('-H', `${name}=${value}`)
  }
  if (options.body !== undefined) args.push('-b', options.body)
  args.push(options.url)
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { maxBuffer: 16 * 1024 * 1024, timeout: (options.seconds + 30) * 1000 },
      (error, stdout) => {
        if (error) return reject(error)
        try {
          const report = JSON.parse(stdout) as {
            requests: { average: number; total: number }
            duration: number
            latency: { p99: number }
            non2xx: number
            errors: number
            timeouts: number
          }
          const failed = report.non2xx + report.errors + report.timeouts
          if (failed > 0 || report.requests.total === 0) {
            return reject(
              new Error(
                `${options.url}: ${report.non2xx} non-2xx, ${report.errors} errors, ${report.timeouts} timeouts of ${report.requests.total} requests`,
              ),
            )
          }
          resolve({
            requestsPerSecond: report.requests.total / report.duration,
            p99Ms: report.latency.p99,
            non2xx: report.non2xx,
            errors: report.errors,
          })
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      },
    )
  })
}
