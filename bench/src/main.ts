import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { benchBundle } from './bundle.js'
import { FULL, QUICK, type BenchConfig } from './config.js'
import { benchExpress } from './express.js'
import type { Figure } from './figure.js'
import { benchFleet } from './fleet.js'
import { benchLogin } from './login.js'
import { benchMockIdp } from './mock-idp.js'
import { benchService } from './service.js'
import { renderTable } from './table.js'
import { benchVerify } from './verify.js'

const SECTIONS: Record<string, { title: string; run: (config: BenchConfig) => Promise<Figure[]> }> =
  {
    verify: { title: 'token verification (node-server)', run: benchVerify },
    express: {
      title: 'through Express on loopback (autocannon, 10 connections)',
      run: benchExpress,
    },
    bundle: {
      title: 'browser bundle, minimal login app (esbuild, oidckit from source)',
      run: benchBundle,
    },
    'mock-idp': { title: 'mock-idp', run: (config) => benchMockIdp(config) },
    service: { title: 'service-credentials', run: benchService },
    fleet: { title: 'service-credentials fleet (4 processes, redis-server)', run: benchFleet },
    login: { title: 'full login (mock-idp in-process)', run: benchLogin },
  }

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
  allowPositionals: true, // `pnpm bench -- --quick` passes a bare `--`
})

const mode = values.quick ? 'quick' : 'full'
const config = values.quick ? QUICK : FULL
const names = values.only ?? Object.keys(SECTIONS)
for (const name of names) {
  if (!SECTIONS[name])
    throw new Error(`unknown section ${name}; use one of ${Object.keys(SECTIONS).join(', ')}`)
}

const started = performance.now()
const sections: { title: string; figures: Figure[] }[] = []
for (const name of names) {
  const section = SECTIONS[name]!
  const t0 = performance.now()
  console.error(`bench: ${name}...`)
  sections.push({ title: section.title, figures: await section.run(config) })
  console.error(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

console.log(renderTable(sections))
const misses = sections.flatMap((s) => s.figures).filter((f) => f.pass === false)
console.log(
  `\n${mode} run, ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
    `${misses.length === 0 ? 'every target met' : `missed: ${misses.map((f) => f.name).join('; ')}`}`,
)

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = values.out ?? path.join(bench, values.quick ? 'results-quick.json' : 'results.json')
const results = {
  mode,
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  config,
  sections: sections.map(({ title, figures }) => ({ title, figures })),
}
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`)
console.log(`results: ${path.relative(process.cwd(), out)}`)
