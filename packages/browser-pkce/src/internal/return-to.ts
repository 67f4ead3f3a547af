import { sameOriginPath } from '@oidckit/core'
import { argumentError } from './errors.js'

/** `returnTo` at `login()`: a path on this origin (C-2, core's `sameOriginPath`), or a TypeError. */
export function checkReturnTo(value: unknown, origin: string): string {
  const path = sameOriginPath(value, origin)
  if (path === undefined) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      '`returnTo` must be a path on this origin, such as "/account".',
    )
  }
  return path
}
