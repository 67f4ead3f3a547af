/** A caller-misuse `TypeError` with a stable `code`, as core throws them. */
export function argumentError(
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE',
  message: string,
): TypeError & { code: string } {
  return Object.assign(new TypeError(message), { code })
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function assertOptionalString(
  value: unknown,
  name: string,
): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a non-empty string.`)
  }
}

export function assertOptionalNumber(
  value: unknown,
  name: string,
  min: number,
  max = Number.POSITIVE_INFINITY,
): asserts value is number | undefined {
  if (value === undefined) return
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a number.`)
  }
  if (value < min || value > max || (max === Number.POSITIVE_INFINITY && !Number.isFinite(value))) {
    throw argumentError(
      'ERR_INVALID_ARG_VALUE',
      `${name} must be between ${min} and ${max === Number.POSITIVE_INFINITY ? 'a finite number' : max}; got ${value}.`,
    )
  }
}

export function assertOptionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a function.`)
  }
}
