// Lint-time size budget: bundles the oidckit fixture apps from source (no build needed) and the
// same apps on oidc-client-ts and react-oidc-context in the same run, counting what each page
// loads first (code behind a dynamic `import()` is reported apart; see bundle-size.mjs), and
// fails when browser-pkce + core or the React binding outgrow DESIGN.md's budgets or the
// ceilings below.
import { budgets, fixtures, measureBundle } from './bundle-size.mjs'

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`

// DESIGN.md (Performance): browser-pkce + core in a minimal SPA at most 13 KB gzip, and always
// smaller than the same app on oidc-client-ts measured in the same run; the React app smaller
// than react-oidc-context's.
const target = { browserPkce: budgets.browserPkce }
// Neither is met yet (see bench/README.md, "The SPA bundle by module"): oauth4webapi's share
// alone is about 7.7 KB gzip. Until they are, the check holds today's sizes as ceilings, so the
// bundle cannot grow: an absolute one, rounded up, and its size relative to the library it must
// beat, measured in the same run. Lowered from 19.5 KB / 1.12× / 1.06× when the popup login,
// logout and PAR code moved behind dynamic imports (18.52 KB first load, 1.077× oidc-client-ts;
// the React app 1.020× react-oidc-context).
const ceiling = { browserPkce: 18.6 * 1024, overOidcClientTs: 1.08, overReactOidcContext: 1.03 }

const [pkce, react, oidcClientTs, reactOidcContext] = await Promise.all(
  [fixtures.browserPkce, fixtures.react, fixtures.oidcClientTs, fixtures.reactOidcContext].map(
    (entry) => measureBundle(entry),
  ),
)
const added = react.gzip - pkce.gzip
const pkceRatio = pkce.gzip / oidcClientTs.gzip
const reactRatio = react.gzip / reactOidcContext.gzip

console.log(
  `size: browser-pkce + core ${kb(pkce.gzip)} gzip, ${pkceRatio.toFixed(3)}× oidc-client-ts ` +
    `(${kb(oidcClientTs.gzip)}); React app ${kb(react.gzip)}, ${reactRatio.toFixed(3)}× ` +
    `react-oidc-context (${kb(reactOidcContext.gzip)}); binding +${kb(added)} ` +
    `(budget ${kb(budgets.reactOverBrowserPkce)})`,
)
// Loaded on first use only (`loginWithPopup()`, `logout()`, a provider that requires PAR).
console.log(
  `size: loaded on demand: ${pkce.lazy.map((chunk) => `${chunk.name} ${kb(chunk.gzip)}`).join(', ')}`,
)

const failures = []
if (pkce.gzip > ceiling.browserPkce) {
  failures.push(
    `browser-pkce + core is ${kb(pkce.gzip)} gzip, ${kb(pkce.gzip - ceiling.browserPkce)} over ` +
      `the ${kb(ceiling.browserPkce)} ceiling (scripts/size/browser-pkce.js).`,
  )
}
if (pkceRatio > ceiling.overOidcClientTs) {
  failures.push(
    `browser-pkce + core is ${pkceRatio.toFixed(3)}× the same app on oidc-client-ts, over the ` +
      `${ceiling.overOidcClientTs}× ceiling (bench/fixtures/oidc-client-ts.js).`,
  )
}
if (reactRatio > ceiling.overReactOidcContext) {
  failures.push(
    `the @oidckit/react app is ${reactRatio.toFixed(3)}× the same app on react-oidc-context, ` +
      `over the ${ceiling.overReactOidcContext}× ceiling (bench/fixtures/react-oidc-context.jsx).`,
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
} else {
  const misses = [
    pkce.gzip > target.browserPkce &&
      `${kb(pkce.gzip - target.browserPkce)} over the ${kb(target.browserPkce)} target`,
    pkce.gzip >= oidcClientTs.gzip &&
      `${kb(pkce.gzip - oidcClientTs.gzip)} larger than oidc-client-ts`,
    react.gzip >= reactOidcContext.gzip &&
      `the React app ${kb(react.gzip - reactOidcContext.gzip)} larger than react-oidc-context`,
  ].filter(Boolean)
  if (misses.length > 0) {
    console.warn(`size: browser-pkce + core still misses DESIGN.md: ${misses.join('; ')}.`)
  }
}
