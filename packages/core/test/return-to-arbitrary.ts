import fc from 'fast-check'

// Path segments and separators an attacker combines so that a path becomes another host once
// dot segments are removed, plus characters that mean something else to a URL parser.
const SEGMENTS = [
  '',
  '',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '.%2e',
  'a',
  'evil.example',
  'evil.example:443',
  'user@evil.example',
  '%2f',
  '%5c',
  '%09',
  '\t',
  ' ',
  '?',
  '#',
  ';',
  'http:',
  'javascript:',
  '\u3002',
  '\uff0e',
]
const SEPARATORS = ['/', '/', '/', '\\', '//', '%2f']

/** `returnTo` values shaped like open-redirect attempts (C-2), most starting with a slash. */
export const hostileReturnTo = (): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('/', '/', '/', '', '\\'),
      fc.array(fc.tuple(fc.constantFrom(...SEGMENTS), fc.constantFrom(...SEPARATORS)), {
        maxLength: 6,
      }),
      fc.constantFrom('', 'x', 'evil.example/x'),
    )
    .map(([head, parts, tail]) => head + parts.map(([seg, sep]) => seg + sep).join('') + tail)

/** True when a `Location` of `path`, read at `origin`, stays on `origin`. */
export function staysOn(path: string, origin: string): boolean {
  const probe = 'https://probe.invalid'
  try {
    return new URL(path, origin).origin === origin && new URL(path, probe).origin === probe
  } catch {
    return false
  }
}
