import { inspect } from 'node:util'
import { expect } from 'vitest'

/** A secret-looking value no error may hold, unique per call: `SECRET-<kind>-<uuid>`. */
export function secret(kind: string): string {
  return `SECRET-${kind}-${crypto.randomUUID()}`
}

/**
 * Where the `secrets` can be found in `err`: in what an error reporter prints (`util.inspect`
 * with hidden properties, `JSON.stringify`, the stack), and anywhere reachable from it by a
 * caller: every own property (enumerable or not), causes, byte arrays, search parameters,
 * headers, and the body of any `Response` or `Request` still readable.
 */
export async function findSecrets(err: unknown, secrets: readonly string[]): Promise<string[]> {
  const found: string[] = []
  const check = (where: string, text: string) => {
    for (const value of secrets) if (text.includes(value)) found.push(`${where}: ${value}`)
  }
  check('util.inspect', inspect(err, { depth: Infinity, showHidden: true }))
  check('JSON.stringify', JSON.stringify(err) ?? '')
  check('stack', String((err as { stack?: unknown } | null)?.stack))
  check('String', String(err))

  const seen = new Set<unknown>()
  const walk = async (value: unknown, path: string): Promise<void> => {
    if (typeof value === 'string') return check(path, value)
    if (typeof value !== 'object' || value === null || seen.has(value)) return
    seen.add(value)
    if (value instanceof Response || value instanceof Request) {
      for (const [name, header] of value.headers) check(`${path}.headers.${name}`, header)
      if (value instanceof Request) check(`${path}.url`, value.url)
      if (value.body && !value.bodyUsed) {
        const text = await value
          .clone()
          .text()
          .catch(() => '')
        check(`${path}.body`, text)
      }
      return
    }
    if (value instanceof URLSearchParams) return check(path, value.toString())
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = ArrayBuffer.isView(value)
        ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        : new Uint8Array(value)
      return check(path, new TextDecoder().decode(bytes))
    }
    if (value instanceof Map || value instanceof Set) {
      let i = 0
      for (const entry of value) await walk(entry, `${path}[${i++}]`)
      return
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (descriptor && 'value' in descriptor)
        await walk(descriptor.value, `${path}.${String(key)}`)
    }
  }
  await walk(err, 'err')
  return found
}

/** Fails when any of `secrets` can be found in `err` (see {@link findSecrets}). */
export async function expectNoSecrets(err: unknown, secrets: readonly string[]): Promise<void> {
  expect(err, 'an error was expected').toBeInstanceOf(Error)
  expect(await findSecrets(err, secrets)).toEqual([])
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call was expected to fail'),
    (err: unknown) => err,
  )
}
