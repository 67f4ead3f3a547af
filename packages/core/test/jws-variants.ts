import fc from 'fast-check'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function mutate(token: string, segment: number, how: number, at: number): string | undefined {
  const parts = token.split('.')
  const part = parts[segment]!
  const pos = at % (part.length + 1)
  let changed: string
  switch (how) {
    case 0: // padding a lenient decoder skips
      changed = `${part}${'='.repeat(1 + (at % 2))}`
      break
    case 1: {
      // the same bytes in the base64 alphabet
      const i = part.search(/[-_]/)
      if (i < 0) return undefined
      changed = part.slice(0, i) + (part[i] === '-' ? '+' : '/') + part.slice(i + 1)
      break
    }
    case 2: {
      // other values for the unused bits of the last character
      const rest = part.length % 4
      if (rest < 2) return undefined
      const step = rest === 2 ? 16 : 4
      const last = ALPHABET.indexOf(part.at(-1)!)
      changed = part.slice(0, -1) + ALPHABET[last - (last % step) + 1 + (at % (step - 1))]
      break
    }
    default: // a stray character a lenient decoder skips
      changed = part.slice(0, pos) + [' ', '\n', '\t', '='][at % 4] + part.slice(pos)
  }
  parts[segment] = changed
  return parts.join('.')
}

/** Strings that lenient base64 decoders read as `token`, but that are not `token`. */
export const nonCanonicalVariants = (token: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.nat(2), fc.nat(3), fc.nat(10_000))
    .map(([segment, how, at]) => mutate(token, segment, how, at))
    .filter((variant): variant is string => variant !== undefined && variant !== token)
