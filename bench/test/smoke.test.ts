import { expect, test } from 'vitest'
import { benchBundle } from '../src/bundle.js'
import { SMOKE } from '../src/config.js'
import { benchExpress } from '../src/express.js'
import type { Figure } from '../src/figure.js'
import { benchLogin } from '../src/login.js'
import { benchMockIdp } from '../src/mock-idp.js'
import { benchService } from '../src/service.js'
import { renderTable } from '../src/table.js'
import { benchVerify } from '../src/verify.js'

// Shapes, not speeds: each benchmark runs once in its smallest configuration and must produce
// well-formed figures. No timing is asserted; the machine may be as slow as it likes.

function expectWellFormed(figures: Figure[], units: string[]) {
  expect(figures.length).toBeGreaterThan(0)
  for (const figure of figures) {
    expect(figure.name).toEqual(expect.any(String))
    expect(units).toContain(figure.unit)
    for (const value of [figure.median, figure.min, figure.max]) {
      expect(Number.isFinite(value), `${figure.name}: ${value}`).toBe(true)
    }
    expect(figure.min).toBeLessThanOrEqual(figure.median)
    expect(figure.median).toBeLessThanOrEqual(figure.max)
    expect(figure.runs).toBeGreaterThanOrEqual(1)
    if (figure.anchor !== undefined) {
      expect(Number.isFinite(figure.anchorMedian)).toBe(true)
      expect(Number.isFinite(figure.ratio)).toBe(true)
    }
    if (figure.target !== undefined) expect(typeof figure.pass).toBe('boolean')
  }
  expect(renderTable([{ title: 'smoke', figures }])).toContain(figures[0]!.name)
}

test('token verification produces verifies/s for every contender', async () => {
  const figures = await benchVerify(SMOKE)
  expectWellFormed(figures, ['verifies/s'])
  expect(figures.map((f) => f.name)).toContain('oidckit verify() ES256, cached')
})

test('Express on loopback produces req/s for every app', { timeout: 60_000 }, async () => {
  expectWellFormed(await benchExpress(SMOKE), ['req/s'])
})

test('bundle sizes cover the six libraries', async () => {
  const figures = await benchBundle()
  expectWellFormed(figures, ['bytes'])
  expect(figures.filter((f) => /^\S+ gzip$/.test(f.name))).toHaveLength(6)
})

test('mock-idp cold start, throughput, RSS and in-process start', { timeout: 90_000 }, async () => {
  const figures = await benchMockIdp(SMOKE, { allowSource: true })
  expectWellFormed(figures, ['ms', 'tokens/s', 'MB'])
  expect(figures.find((f) => f.name === 'cold start, mock-idp')?.anchor).toBe('bare node:http')
})

test('service-credentials makes one token request for concurrent callers', async () => {
  const figures = await benchService(SMOKE)
  expectWellFormed(figures, ['ns/call', 'requests'])
  expect(figures[1]!.median).toBe(1)
})

test('a full login runs', async () => {
  expectWellFormed(await benchLogin(SMOKE), ['ms/login'])
})
