// Builds what the examples import with turbo, one line per package as it finishes; turbo's full
// output goes to a log file, printed if the build fails.
import { join } from 'node:path'
import { Child, tail } from './processes.mjs'

/**
 * Runs `turbo run build` for every workspace package the examples depend on (not the examples
 * themselves: they run from source). Resolves true on success; prints the log and resolves false
 * on failure. `track(child)` lets the caller stop the build on Ctrl-C.
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
      '--log-order=grouped',
      '--output-logs=full',
      '--ui=stream',
    ],
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
    logFile,
    echo: verbose,
  })
  track(child)
  // Grouped logs arrive one whole task at a time, when it ends: a new prefix is a finished task.
  const seen = new Set()
  let cached = 0
  const scan = () => {
    for (const match of child.log().matchAll(/^(\S+):build: cache (hit|miss)/gm)) {
      const [, name, kind] = match
      if (seen.has(name)) continue
      seen.add(name)
      if (kind === 'hit') cached++
      if (!verbose) console.log(`  ✓ ${name}${kind === 'hit' ? ' (cached)' : ''}  ${seconds()}`)
    }
  }
  const timer = setInterval(scan, 250)
  const { code, signal, error } = await child.exited
  clearInterval(timer)
  scan()
  await child.stop()
  if (code === 0) {
    console.log(`Built ${seen.size} packages (${cached} from cache) in ${seconds()}.\n`)
    return true
  }
  if (signal) return false
  console.error(`\nThe build failed (${error ? error.message : `exit code ${code}`}). Its log:`)
  console.error(tail(child.log(), 60))
  console.error(
    `\nFull log: ${logFile}. Run \`pnpm start\` from the repository root (turbo needs pnpm).`,
  )
  return false
}
