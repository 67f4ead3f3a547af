import type * as Jose from 'jose'

// jose takes ~60 ms to import; loading it on first use keeps the CLI's cold start fast.
let loaded: Promise<typeof Jose> | undefined

/** The jose module, imported on first use. */
export function jose(): Promise<typeof Jose> {
  loaded ??= import('jose')
  return loaded
}
