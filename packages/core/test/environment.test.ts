import { expect, inject, test } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    domExpected: boolean
  }
}

test('the dom project has a DOM and the node project has none', () => {
  expect(typeof document !== 'undefined').toBe(inject('domExpected'))
})

test('fetch, AbortSignal, typed arrays and WebCrypto share one realm, as in a browser', async () => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('x'))
  expect(digest).toBeInstanceOf(ArrayBuffer)
  expect(new TextEncoder().encode('x')).toBeInstanceOf(Uint8Array)
  const request = new Request('http://localhost/', { signal: new AbortController().signal })
  expect(request.headers).toBeInstanceOf(Headers)
})
