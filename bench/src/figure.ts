import { summarize, type Summary } from './stats.js'

/**
 * What a figure is held to: its ratio to the anchor, its own median when no anchor fits, or
 * every one of its samples (for counts that must hold in each run).
 */
export interface Target {
  on: 'ratio' | 'median' | 'every run'
  op: '>=' | '<=' | '>' | '<' | '=='
  value: number
}

/** One measured figure, as printed and written to results.json. */
export interface Figure extends Summary {
  name: string
  unit: string
  anchor?: string
  anchorMedian?: number
  /** median / anchorMedian. */
  ratio?: number
  target?: string
  pass?: boolean
  /** A short remark (what was measured, or what the target stands for). */
  note?: string
}

export interface FigureInput {
  name: string
  unit: string
  samples: readonly number[]
  anchor?: { name: string; samples: readonly number[] } | undefined
  target?: Target | undefined
  note?: string | undefined
}

const OPS: Record<Target['op'], (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
}

/** Summarizes the samples of a figure and of its anchor, and checks the target. */
export function makeFigure(input: FigureInput): Figure {
  const own = summarize(input.samples)
  const figure: Figure = { name: input.name, unit: input.unit, ...own }
  if (input.anchor) {
    figure.anchor = input.anchor.name
    figure.anchorMedian = summarize(input.anchor.samples).median
    figure.ratio = figure.anchorMedian === 0 ? Number.NaN : own.median / figure.anchorMedian
  }
  if (input.target) {
    const { on, op, value } = input.target
    const check = (actual: number | undefined) =>
      actual !== undefined && Number.isFinite(actual) && OPS[op](actual, value)
    figure.target = `${on} ${op} ${value}`
    figure.pass =
      on === 'every run'
        ? input.samples.every(check)
        : check(on === 'ratio' ? figure.ratio : own.median)
  }
  if (input.note) figure.note = input.note
  return figure
}
