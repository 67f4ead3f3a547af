/** A caller-misuse `TypeError` with a Node-style `code`, as core throws. */
export function argumentError(
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE',
  message: string,
): TypeError & { code: string } {
  return Object.assign(new TypeError(message), { code })
}

/** A non-negative finite number option, or `undefined`. */
export function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw argumentError('ERR_INVALID_ARG_VALUE', `${name} must be a non-negative number.`)
  }
  return value
}
