// Each child runs in its own process group (and session), so stopping it reaches everything it
// started too (tsx's loader, vite's esbuild service), and a Ctrl-C on the terminal reaches only
// `pnpm start`, which then stops the groups itself, in order, and waits until they are gone.
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'

/** How long a group has between SIGTERM and SIGKILL. */
export const GRACE_MS = Number(process.env.OIDCKIT_START_GRACE_MS ?? 3000)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether any process of group `pgid` still exists. */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal)
  } catch {
    // Already gone.
  }
}

/** Every group started and not yet seen gone; SIGKILLed if this process exits first. */
const live = new Set()
process.on('exit', () => {
  for (const child of live) signalGroup(child.pid, 'SIGKILL')
})

/**
 * A child process with its output in a log file (and, with `echo`, also on the terminal with a
 * `[name]` prefix on each line).
 */
export class Child {
  constructor(name, { command, args, cwd, env, logFile, echo }) {
    this.name = name
    this.logFile = logFile
    const fd = openSync(logFile, 'w')
    this.fd = fd
    this.process = spawn(command, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', echo ? 'pipe' : fd, echo ? 'pipe' : fd],
    })
    this.pid = this.process.pid
    if (this.pid !== undefined) live.add(this)
    if (echo) {
      for (const stream of [this.process.stdout, this.process.stderr]) {
        let rest = ''
        stream.on('data', (chunk) => {
          writeSync(fd, chunk)
          const lines = (rest + chunk).split('\n')
          rest = lines.pop()
          for (const line of lines) process.stdout.write(`[${name}] ${line}\n`)
        })
      }
    }
    /** Resolves with `{ code, signal }` when the child itself has exited. */
    this.exited = new Promise((resolve) => {
      this.process.once('error', (err) => {
        writeSync(fd, `cannot start ${command}: ${err.message}\n`)
        resolve({ code: null, signal: null, error: err })
      })
      this.process.once('exit', (code, signal) => resolve({ code, signal }))
    })
    this.exitInfo = undefined
    void this.exited.then((info) => {
      this.exitInfo = info
    })
  }

  /** The log so far. */
  log() {
    try {
      return readFileSync(this.logFile, 'utf8')
    } catch {
      return ''
    }
  }

  /**
   * Stops the whole group: SIGTERM, then SIGKILL after {@link GRACE_MS}; resolves once no
   * process of the group is left.
   */
  async stop() {
    if (this.pid === undefined) return
    if (groupAlive(this.pid)) {
      signalGroup(this.pid, 'SIGTERM')
      for (let waited = 0; waited < GRACE_MS && groupAlive(this.pid); waited += 50) await sleep(50)
      if (groupAlive(this.pid)) {
        signalGroup(this.pid, 'SIGKILL')
        for (let waited = 0; waited < GRACE_MS && groupAlive(this.pid); waited += 20)
          await sleep(20)
      }
    }
    await this.exited
    live.delete(this)
    try {
      closeSync(this.fd)
    } catch {
      // Closed already.
    }
  }
}

/** The last `count` lines of a log, indented, for a failure report. */
export function tail(text, count = 40) {
  const lines = text.trimEnd().split('\n')
  const shown = lines.slice(-count)
  const cut =
    lines.length > shown.length ? [`  … (${lines.length - shown.length} lines before)`] : []
  return [...cut, ...shown.map((line) => `  | ${line}`)].join('\n')
}
