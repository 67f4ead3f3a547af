// Lint-time size budget: bundles the oidckit fixture apps from source (no build needed) and
// fails when browser-pkce + core or the React binding outgrow DESIGN.md's budgets.
import { budgets, fixtures, measureBundle } from './bundle-size.mjs'

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`

// DESIGN.md (Performance): browser-pkce + core in a minimal SPA at most 13 KB gzip.
const target = { browserPkce: 13 * 1024 }
// The target is not met yet: oauth4webapi's share alone is about 8.6 KB gzip (see
// bench/README.md). Until it is, the check holds today's size, rounded up, as a ceiling, so the
// bundle cannot grow, and names the target it still misses. Lowered from 25 KB when core's
// protocol operations became functions the SPA imports one by one and long error hints became
// development-only (20.65 KB).
const ceiling = { browserPkce: 21 * 1024 }

const [pkce, react] = await Promise.all([
  measureBundle(fixtures.browserPkce),
  measureBundle(fixtures.react),
])
const added = react.gzip - pkce.gzip

console.log(
  `size: browser-pkce + core ${kb(pkce.gzip)} gzip (target ${kb(target.browserPkce)}, ` +
    `ceiling ${kb(ceiling.browserPkce)}), React binding +${kb(added)} gzip ` +
    `(budget ${kb(budgets.reactOverBrowserPkce)})`,
)

const failures = []
if (pkce.gzip > ceiling.browserPkce) {
  failures.push(
    `browser-pkce + core is ${kb(pkce.gzip)} gzip, ${kb(pkce.gzip - ceiling.browserPkce)} over ` +
      `the ${kb(ceiling.browserPkce)} ceiling (scripts/size/browser-pkce.js).`,
  )
} else if (pkce.gzip > target.browserPkce) {
  console.warn(
    `size: browser-pkce + core is still ${kb(pkce.gzip - target.browserPkce)} over the ` +
      `${kb(target.browserPkce)} target of DESIGN.md (ceiling ${kb(ceiling.browserPkce)}).`,
  )
}
if (added > budgets.reactOverBrowserPkce) {
  failures.push(
    `@oidckit/react adds ${kb(added)} gzip over browser-pkce, ` +
      `${kb(added - budgets.reactOverBrowserPkce)} over the ${kb(budgets.reactOverBrowserPkce)} ` +
      `budget (scripts/size/react.jsx).`,
  )
}
if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`)
  console.error('Run `pnpm bench` for the full comparison; see DESIGN.md, Performance.')
  process.exitCode = 1
}
