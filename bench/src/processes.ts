import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'

export { freePort } from '@oidckit/test-utils'

/** One GET; resolves with the status code, or `undefined` when the connection fails. */
export function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

/** Polls `url` every `intervalMs` until it answers 200; rejects after `timeoutMs`. */
export async function waitFor200(
  url: string,
  {
    timeoutMs = 15_000,
    intervalMs = 2,
    child,
  }: { timeoutMs?: number; intervalMs?: number; child?: ChildProcess } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`${url}: the server exited with code ${child.exitCode} before answering`)
    }
    if ((await probe(url)) === 200) return
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

/** Starts a Node child process; its stderr is kept for error messages. */
export function spawnNode(
  args: readonly string[],
  cwd?: string,
): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'development' },
  })
  let stderr = ''
  child.stdout?.resume()
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  return Object.assign(child, { stderrText: () => stderr })
}

/** Peak resident set size of a live process, in bytes (Linux `VmHWM`). */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/** Ends a child (SIGTERM, then SIGKILL after 2 s) and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}
