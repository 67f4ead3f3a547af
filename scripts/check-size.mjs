// Lint-time size budget: bundles the oidckit fixture apps from source (no build needed) and
// fails when browser-pkce + core or the React binding outgrow DESIGN.md's budgets.
import { budgets, fixtures, measureBundle } from './bundle-size.mjs'

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`

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
if (pkce.gzip > budgets.browserPkce) {
  failures.push(
    `browser-pkce + core is ${kb(pkce.gzip)} gzip, ${kb(pkce.gzip - budgets.browserPkce)} over ` +
      `the ${kb(budgets.browserPkce)} budget (scripts/size/browser-pkce.js).`,
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
