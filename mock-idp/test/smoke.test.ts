import { expect, test } from 'vitest'
import { version } from '@oidckit/mock-idp'

test('exports its version', () => {
  expect(version).toBe('0.1.0')
})
