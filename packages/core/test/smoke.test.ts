import { expect, test } from 'vitest'
import { version } from '@oidckit/core'

test('exports its version', () => {
  expect(version).toBe('0.1.0')
})
