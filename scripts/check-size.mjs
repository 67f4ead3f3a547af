// Lint-time size budget: bundles the oidckit fixture apps from source (no build needed) and
// fails when browser-pkce + core or the React binding outgrow DESIGN.md's budgets.
import { budgets, fixtures, measureBundle } from './bundle-size.mjs'

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`

// DESIGN.md's 10 KB target for browser-pkce + core is not met yet (core's one-class Client pulls
// every grant into an SPA): until core's browser path is split, the check holds today's size as
// a ceiling, so the bundle cannot grow, and names the target it still misses. Raised from 24 KB
// for keeping tokens and secrets out of every error (RP-10, about 0.85 KB gzip).
const ceiling = { browserPkce: 25 * 1024 }

const [pkce, react] = await Promise.all([
  measureBundle(fixtures.browserPkce),
  measureBundle(fixtures.react),
])
const added = react.gzip - pkce.gzip

console.log(
  `size: browser-pkce + core ${kb(pkce.gzip)} gzip (budget ${kb(budgets.browserPkce)}), ` +
    `React binding +${kb(added)} gzip (budget ${kb(budgets.reactOverBrowserPkce)})`,
)

const failures = []
if (pkce.gzip > ceiling.browserPkce) {
  failures.push(
    `browser-pkce + core is ${kb(pkce.gzip)} gzip, ${kb(pkce.gzip - ceiling.browserPkce)} over ` +
      `the ${kb(ceiling.browserPkce)} ceiling (scripts/size/browser-pkce.js).`,
  )
} else if (pkce.gzip > budgets.browserPkce) {
  console.warn(
    `size: browser-pkce + core is still ${kb(pkce.gzip - budgets.browserPkce)} over the ` +
      `${kb(budgets.browserPkce)} target of DESIGN.md (ceiling ${kb(ceiling.browserPkce)}).`,
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
