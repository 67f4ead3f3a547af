// Adds up every package's vitest JSON report into one closing line: "tests: N passed, N failed".
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const dirs = ['scripts', 'mock-idp', 'bench', 'interop']
for (const group of ['packages', 'examples']) {
  const dir = join(root, group)
  if (existsSync(dir)) for (const name of readdirSync(dir)) dirs.push(join(group, name))
}

let passed = 0
let failed = 0
let skipped = 0
for (const dir of dirs) {
  const file = join(root, dir, '.vitest-result.json')
  if (!existsSync(file)) continue
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
}
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''))
process.exit(failed > 0 || passed === 0 ? 1 : 0)
