// Lint-time check that docs/security.md stays true to the code.
//
// 1. Every requirement ID (C-n, RP-n, S-n, AS-n) cited in a tracked source, test or README file
//    under packages/, mock-idp/, interop/, examples/, bench/ or scripts/ must be defined in
//    docs/security.md, as a heading of its own (`### RP-3`).
// 2. Each definition has one `- Tested in:` line, which must list exactly the test files that cite
//    the ID (test files: `*.test.ts(x)` and the end-to-end runners under `test-e2e/` or `e2e/`).
// 3. Every relative link in docs/security.md points to a file that exists.
//
//   node scripts/check-security-ids.mjs          check (exit 1 on any failure)
//   node scripts/check-security-ids.mjs --write  rewrite the `Tested in:` lines, then check
//   node scripts/check-security-ids.mjs --map    print ID → citing test files, and exit
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const docPath = 'docs/security.md'
const self = 'scripts/check-security-ids.mjs'
const scanned = ['packages', 'mock-idp', 'interop', 'examples', 'bench', 'scripts']
const textFile = /\.(?:[cm]?[jt]sx?|md)$/
const testFile = /\.test\.[cm]?[jt]sx?$|(?:^|\/)(?:test-e2e|e2e)\//
const idPattern = /\b(?:C|RP|S|AS)-\d+\b/g
const heading = /^#{2,6}\s+((?:C|RP|S|AS)-\d+)(?=\s*$|[\s:])/
const testedIn = /^- Tested in:/
const prefixOrder = ['C', 'RP', 'S', 'AS']

const mode = process.argv[2]
if (mode !== undefined && mode !== '--write' && mode !== '--map') {
  console.error(`usage: node ${self} [--write | --map]`)
  process.exit(2)
}

const byId = (a, b) => {
  const [pa, na] = a.split('-')
  const [pb, nb] = b.split('-')
  return prefixOrder.indexOf(pa) - prefixOrder.indexOf(pb) || Number(na) - Number(nb)
}
const byPath = (a, b) => (a < b ? -1 : a > b ? 1 : 0)

/** ID → { all: Set of citing files, tests: Set of citing test files } */
function collectCitations() {
  const files = execFileSync('git', ['ls-files', '-z', '--', ...scanned], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && file !== self && textFile.test(file))
  const cited = new Map()
  for (const file of files) {
    const full = join(root, file)
    if (!existsSync(full)) continue // deleted in the working tree, not yet committed
    for (const [id] of readFileSync(full, 'utf8').matchAll(idPattern)) {
      if (!cited.has(id)) cited.set(id, { all: new Set(), tests: new Set() })
      cited.get(id).all.add(file)
      if (testFile.test(file)) cited.get(id).tests.add(file)
    }
  }
  return cited
}

/** The `Tested in:` line for a list of repository-relative test files. */
function testedInLine(tests) {
  const links = [...tests].sort(byPath).map((file) => `[${file}](../${file})`)
  return `- Tested in: ${links.length ? links.join(', ') : 'none yet.'}`
}

/** Definitions in the doc: ID → { line, testedInLine, notImplemented }, in document order. */
function parseDoc(lines, failures) {
  const defined = new Map()
  let current
  lines.forEach((text, index) => {
    const match = heading.exec(text)
    if (match) {
      if (defined.has(match[1]))
        failures.push(`${docPath}:${index + 1}: ${match[1]} is defined twice`)
      current = { id: match[1], line: index, testedInLine: [], notImplemented: false }
      defined.set(match[1], current)
    } else if (/^#{1,6}\s/.test(text)) {
      current = undefined
    } else if (current) {
      if (testedIn.test(text)) current.testedInLine.push(index)
      if (/not implemented yet/i.test(text)) current.notImplemented = true
    }
  })
  return defined
}

/** Relative link targets in a line, repository-relative (anchors and queries dropped). */
function linkTargets(text) {
  const targets = []
  for (const [, href] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(href)) continue
    const path = href.replace(/[#?].*$/, '')
    targets.push(relative(root, resolve(root, dirname(docPath), decodeURI(path))))
  }
  return targets
}

const cited = collectCitations()

if (mode === '--map') {
  for (const id of [...cited.keys()].sort(byId)) {
    const tests = [...cited.get(id).tests].sort(byPath)
    console.log(`${id}\t${tests.length ? tests.join(', ') : '(no test cites it)'}`)
  }
  process.exit(0)
}

const failures = []
const source = readFileSync(join(root, docPath), 'utf8')
const lines = source.split('\n')
const defined = parseDoc(lines, failures)

for (const id of [...cited.keys()].sort(byId)) {
  if (defined.has(id)) continue
  const where = [...cited.get(id).all].sort(byPath)
  failures.push(
    `${id} is cited but not defined in ${docPath}: ${where.slice(0, 5).join(', ')}` +
      (where.length > 5 ? ` and ${where.length - 5} more` : ''),
  )
}

let rewritten = 0
const stale = []
for (const entry of defined.values()) {
  if (entry.testedInLine.length !== 1) {
    failures.push(
      `${docPath}:${entry.line + 1}: ${entry.id} needs exactly one "- Tested in:" line ` +
        `(found ${entry.testedInLine.length})`,
    )
    continue
  }
  const index = entry.testedInLine[0]
  const tests = cited.get(entry.id)?.tests ?? new Set()
  const expected = testedInLine(tests)
  if (lines[index] !== expected) {
    if (mode === '--write') {
      lines[index] = expected
      rewritten++
    } else {
      const listed = new Set(linkTargets(lines[index]))
      const missing = [...tests].filter((file) => !listed.has(file)).sort(byPath)
      const extra = [...listed].filter((file) => !tests.has(file)).sort(byPath)
      const detail = [
        missing.length ? `not listed: ${missing.join(', ')}` : '',
        extra.length ? `listed but not citing it: ${extra.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')
      stale.push(
        `${docPath}:${index + 1}: ${entry.id} "Tested in:" ${detail || 'is not in the generated form'}`,
      )
    }
  }
  if (entry.notImplemented && tests.size > 0) {
    console.warn(
      `security ids: ${entry.id} is marked "Not implemented yet" but tests cite it; ` +
        `update its entry in ${docPath}.`,
    )
  }
}

if (mode === '--write' && rewritten > 0) {
  writeFileSync(join(root, docPath), lines.join('\n'))
  console.log(`security ids: rewrote ${rewritten} "Tested in:" line(s) in ${docPath}.`)
}

lines.forEach((text, index) => {
  for (const target of linkTargets(text)) {
    if (!existsSync(join(root, target))) {
      failures.push(`${docPath}:${index + 1}: link to a missing file: ${target}`)
    }
  }
})

if (stale.length) {
  failures.push(...stale, `Refresh the "Tested in:" lines with: node ${self} --write`)
}
if (failures.length) {
  console.error(`security ids: ${docPath} is out of date:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
const tested = [...defined.keys()].filter((id) => cited.get(id)?.tests.size)
console.log(
  `security ids: ${cited.size} cited IDs all defined in ${docPath} ` +
    `(${defined.size} defined, ${tested.length} with tests).`,
)
