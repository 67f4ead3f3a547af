import type { Figure } from './figure.js'

const COLUMNS = [
  'name',
  'unit',
  'median',
  'min',
  'max',
  'runs',
  'anchor',
  'anchor median',
  'ratio',
  'target',
  'result',
] as const

/** Formats a number with about four significant digits. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return ''
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 1000) return Math.round(value).toString()
  if (abs >= 100) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

function row(figure: Figure): string[] {
  return [
    figure.name,
    figure.unit,
    formatNumber(figure.median),
    formatNumber(figure.min),
    formatNumber(figure.max),
    String(figure.runs),
    figure.anchor ?? '',
    formatNumber(figure.anchorMedian),
    figure.ratio === undefined ? '' : figure.ratio.toFixed(3),
    figure.target ?? '',
    figure.pass === undefined ? '' : figure.pass ? 'pass' : 'MISS',
  ]
}

/** Renders figures as a plain-text table with a header, grouped under section titles. */
export function renderTable(sections: readonly { title: string; figures: Figure[] }[]): string {
  const rows = sections.flatMap((s) => s.figures.map(row))
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const out = [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  ')]
  for (const section of sections) {
    out.push(`# ${section.title}`)
    for (const figure of section.figures) out.push(line(row(figure)))
  }
  return out.join('\n')
}
