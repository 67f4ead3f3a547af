import { expect, test } from 'vitest'
import { isLoopbackAddress } from './control-access.js'

test('loopback addresses and in-process calls may use the control API; others may not', () => {
  expect(isLoopbackAddress(undefined)).toBe(true)
  expect(isLoopbackAddress('127.0.0.1')).toBe(true)
  expect(isLoopbackAddress('::1')).toBe(true)
  expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true)
  expect(isLoopbackAddress('192.168.1.10')).toBe(false)
  expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false)
})
