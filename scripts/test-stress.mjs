// The whole test suite on a busy machine: one CPU burner per core keeps every core at 100% while
// the typecheck, unit, integration and package tests run, several times in a row, with turbo's
// cache off. A test that passes only on a quiet machine fails here.
//
//   pnpm test:stress [--runs 3] [--burners N]
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    burners: { type: 'string', default: String(availableParallelism()) },
  },
})
const runs = Number(values.runs)
const burnerCount = Number(values.burners)
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(burnerCount) || burnerCount < 0) {
  console.error('usage: pnpm test:stress [--runs N >= 1] [--burners N >= 0]')
  process.exit(2)
}

const root = new URL('..', import.meta.url).pathname
const burners = Array.from({ length: burnerCount }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
)
const stopBurners = () => burners.forEach((burner) => burner.kill('SIGKILL'))
process.on('exit', stopBurners)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBurners()
    process.exit(130)
  })
}

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

console.log(`test:stress: ${runs} run(s) beside ${burnerCount} CPU burner(s)`)
for (let i = 1; i <= runs; i++) {
  const started = Date.now()
  const turbo = await run('pnpm', [
    'exec',
    'turbo',
    'run',
    'lint',
    'typecheck',
    'test',
    'test:scripts',
    'check:package',
    '--force',
    '--output-logs=new-only',
  ])
  const summary = await run('node', ['scripts/test-summary.mjs'])
  const seconds = Math.round((Date.now() - started) / 1000)
  if (turbo !== 0 || summary !== 0) {
    console.log(`test:stress: run ${i} of ${runs} failed after ${seconds} s`)
    process.exit(1)
  }
  console.log(`test:stress: run ${i} of ${runs} passed in ${seconds} s`)
}
console.log(`test:stress: ${runs} of ${runs} runs passed`)
