// Builds what the examples import with turbo, one line per package as it finishes; turbo's full
// output goes to a log file, and the failing package's part of it is printed if the build fails.
import { join } from 'node:path'
import { Child, tail } from './processes.mjs'

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g

/**
 * The packages a grouped turbo log (`--log-order=grouped`) shows so far, in order, each
 * `'cached'`, `'built'` or `'failed'`. Turbo prints a task's lines in one block when the task
 * ends, then, for a failure, an ERROR line: a block is final once anything follows it, or once
 * turbo has exited (`done`).
 */
export function buildProgress(log, done) {
  const text = log.replace(ANSI, '')
  const lines = text.split('\n')
  const blocks = [...text.matchAll(/^(\S+):build: cache (hit|miss)/gm)]
  const final = done || /^\s*Tasks:/m.test(text) ? blocks : blocks.slice(0, -1)
  return final.map(([, name, kind]) => {
    const error = `${name}#build: `
    const failed = lines.some((line) => line.startsWith(error) && line.includes('ERROR'))
    return { name, state: failed ? 'failed' : kind === 'hit' ? 'cached' : 'built' }
  })
}

/** The lines one package's build printed, without turbo's prefix. */
function packageLines(log, name) {
  const prefix = `${name}:build: `
  return log
    .replace(ANSI, '')
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length))
    .join('\n')
}

/**
 * Runs `turbo run build` for every workspace package the examples depend on (not the examples
 * themselves: they run from source). Resolves true on success; prints the failure and resolves
 * false otherwise. `track(child)` lets the caller stop the build on Ctrl-C.
 */
export async function build({ root, logDir, verbose, track }) {
  const logFile = join(logDir, 'build.log')
  const started = Date.now()
  const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`
  console.log(`Building the packages the examples use (turbo; full log: ${logFile})`)
  const child = new Child('build', {
    command: join(root, 'node_modules/.bin/turbo'),
    args: [
      'run',
      'build',
      '--filter=./examples/*^...',
      '--filter=!./examples/*',
      '--log-order=grouped',
      '--output-logs=full',
      '--ui=stream',
    ],
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', NO_COLOR: '1' },
    logFile,
    echo: verbose,
  })
  track(child)
  let shown = 0
  const report = (done) => {
    const progress = buildProgress(child.log(), done)
    for (const { name, state } of progress.slice(shown)) {
      const mark = state === 'failed' ? '✗' : '✓'
      const note = state === 'cached' ? ' (cached)' : state === 'failed' ? ' failed' : ''
      if (!verbose) console.log(`  ${mark} ${name}${note}  ${seconds()}`)
    }
    shown = progress.length
    return progress
  }
  const timer = setInterval(() => report(false), 250)
  const { code, signal, error } = await child.exited
  clearInterval(timer)
  const progress = report(true)
  await child.stop()
  if (code === 0) {
    const cached = progress.filter(({ state }) => state === 'cached').length
    console.log(`Built ${progress.length} packages (${cached} from cache) in ${seconds()}.\n`)
    return true
  }
  if (signal) return false
  const log = child.log()
  const failed = progress.filter(({ state }) => state === 'failed')
  console.error(`\nThe build failed (${error ? error.message : `exit code ${code}`}).`)
  for (const { name } of failed) {
    console.error(`${name}:`)
    console.error(tail(packageLines(log, name), 30))
  }
  if (failed.length === 0) console.error(tail(log.replace(ANSI, ''), 30))
  if (/Unable to find package manager binary/.test(log)) {
    console.error(
      'turbo needs pnpm on the PATH: run `npx -y pnpm@10 start` from the repository root.',
    )
  }
  console.error(`Full log: ${logFile}`)
  return false
}
