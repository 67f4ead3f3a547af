import type { Environment } from 'vitest/environments'
import { builtinEnvironments } from 'vitest/environments'

// Vitest's jsdom environment replaces these globals with the jsdom window's own realm, while
// `fetch`, `Request`, `Response`, `TextEncoder` and WebCrypto stay Node's. A browser has one
// realm, so that mix (a jsdom `ArrayBuffer` failing `instanceof` on a WebCrypto digest, a jsdom
// `AbortSignal` refused by Node's fetch) tests nothing real. Keep jsdom's DOM, and give the
// platform primitives back the realm that fetch and WebCrypto use.
const platformPrimitives = [
  'ArrayBuffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'AbortController',
  'AbortSignal',
  'Headers',
  'URL',
  'URLSearchParams',
  'Blob',
  'File',
  'FormData',
] as const

const jsdom = builtinEnvironments.jsdom

export default {
  name: 'jsdom-single-realm',
  transformMode: 'web',
  async setup(global, options) {
    const originals = new Map(platformPrimitives.map((key) => [key, global[key]]))
    const environment = await jsdom.setup(global, options)
    for (const [key, value] of originals) {
      Object.defineProperty(global, key, { value, configurable: true, writable: true })
    }
    return {
      teardown(teardownGlobal) {
        return environment.teardown(teardownGlobal)
      },
    }
  },
} satisfies Environment
