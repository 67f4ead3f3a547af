import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockIdp } from '@oidckit/mock-idp'
import { createWebServer } from '../src/app.js'

let web: Server
let base: string

beforeAll(async () => {
  const idp = createMockIdp()
  web = createWebServer({ issuer: idp.issuer, fetch: idp.fetch }).listen(0, '127.0.0.1')
  await new Promise((resolve) => web.once('listening', resolve))
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => web.close(resolve))
})

test('serves the stylesheet the examples share at /example.css', async () => {
  const res = await fetch(`${base}/example.css`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/css/)
  const shared = readFileSync(new URL('../../shared/example.css', import.meta.url), 'utf8')
  expect(await res.text()).toBe(shared)
})

test('every page links the stylesheet and carries the example header', async () => {
  for (const path of ['/', '/no-such-page']) {
    const html = await (await fetch(`${base}${path}`)).text()
    expect(html).toContain('<link rel="stylesheet" href="/example.css">')
    expect(html).toContain('<span class="tag">web-server example</span>')
  }
})
