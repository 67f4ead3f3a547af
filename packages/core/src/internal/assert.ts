import type { ArgumentErrorCode } from '../errors.js'

/** A `TypeError` with a Node-style `code`, thrown on caller misuse. */
export function argumentError(code: ArgumentErrorCode, message: string): TypeError {
  const err = new TypeError(message)
  Object.defineProperty(err, 'code', { value: code, enumerable: true })
  return err
}

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a string, got ${typeof value}.`)
  }
  if (value.length === 0) {
    throw argumentError('ERR_INVALID_ARG_VALUE', `${name} must not be empty.`)
  }
}

export function assertOptionalString(
  value: unknown,
  name: string,
): asserts value is string | undefined {
  if (value !== undefined) assertString(value, name)
}

export function assertNonNegativeNumber(
  value: unknown,
  name: string,
): asserts value is number | undefined {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw argumentError('ERR_INVALID_ARG_TYPE', `${name} must be a finite number.`)
  }
  if (value < 0) {
    throw argumentError('ERR_INVALID_ARG_VALUE', `${name} must not be negative.`)
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
