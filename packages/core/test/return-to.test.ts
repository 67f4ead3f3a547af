import { sameOriginPath } from '@oidckit/core'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { hostileReturnTo, staysOn } from './return-to-arbitrary'

const ORIGIN = 'https://app.example'

test('C-2: keeps a same-origin path with its query and fragment', () => {
  expect(sameOriginPath('/account?tab=1#top', ORIGIN)).toBe('/account?tab=1#top')
  expect(sameOriginPath('/a/./b/../c', ORIGIN)).toBe('/a/c')
  expect(sameOriginPath('/', new URL('https://app.example/base/'))).toBe('/')
})

test.each([
  '/.//evil.example',
  '/..//evil.example/x',
  '/%2e%2e//evil.example',
  '/%2E//evil.example',
  '/a/..//evil.example',
  '/a/b/../..//evil.example',
  '//evil.example',
  '/\\evil.example',
  '/a/..\\/evil.example',
  '/\tevil',
  'https://evil.example/',
  'javascript:alert(1)',
  'account',
  '',
])('C-2: refuses %j, which normalises off this origin or is no path', (value) => {
  expect(sameOriginPath(value, ORIGIN)).toBeUndefined()
})

test('C-2: refuses what is not a string, and paths over 2 KB', () => {
  for (const value of [null, undefined, 42, ['/a'], { toString: () => '/a' }]) {
    expect(sameOriginPath(value, ORIGIN)).toBeUndefined()
  }
  expect(sameOriginPath(`/${'a'.repeat(2048)}`, ORIGIN)).toBeUndefined()
})

test('C-2: no generated returnTo ever resolves off-origin, and a kept one is stable', () => {
  fc.assert(
    fc.property(hostileReturnTo(), (value) => {
      const path = sameOriginPath(value, ORIGIN)
      if (path === undefined) return
      expect(staysOn(path, ORIGIN)).toBe(true)
      expect(sameOriginPath(path, ORIGIN)).toBe(path)
    }),
    { numRuns: 5000 },
  )
})
