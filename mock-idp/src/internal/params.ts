import { ProtocolError } from './protocol-error.js'
import type { RequestBody } from './request-body.js'

/** URLs above this are refused with 414 (AS-17). */
export const MAX_URL_LENGTH = 8 * 1024

/** Parameters of one request, each present at most once (AS-5). */
export type Params = Map<string, string>

/** Turns URL-encoded parameters into a map, refusing any name given twice (AS-5). */
export function parseSearchParams(search: URLSearchParams): Params {
  const params: Params = new Map()
  for (const [name, value] of search) {
    if (params.has(name)) throw new ProtocolError('invalid_request', `parameter ${name} repeated`)
    params.set(name, value)
  }
  return params
}

/**
 * Reads a POST body: `application/x-www-form-urlencoded`, and JSON objects of strings where
 * `json` is set (Hanzo IAM accepts JSON token requests).
 */
export async function readBodyParams(
  body: RequestBody,
  options: { json: boolean },
): Promise<Params> {
  const type = body.request.headers.get('content-type') ?? ''
  const mediaType = type.split(';')[0]!.trim().toLowerCase()
  const text = await body.text()
  if (mediaType === 'application/x-www-form-urlencoded') {
    return parseSearchParams(new URLSearchParams(text))
  }
  if (options.json && mediaType === 'application/json') return parseJsonParams(text)
  if (mediaType === '' && text === '') return new Map()
  throw new ProtocolError(
    'invalid_request',
    options.json
      ? 'content type must be application/x-www-form-urlencoded or application/json'
      : 'content type must be application/x-www-form-urlencoded',
  )
}

function parseJsonParams(text: string): Params {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProtocolError('invalid_request', 'the JSON body does not parse')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('invalid_request', 'the JSON body must be an object')
  }
  const params: Params = new Map()
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string') params.set(name, item)
    else if (typeof item === 'number' || typeof item === 'boolean') params.set(name, String(item))
    else if (item !== null) {
      throw new ProtocolError('invalid_request', `parameter ${name} must be a string`)
    }
  }
  return params
}

/** A required parameter, or `invalid_request`. */
export function required(params: Params, name: string): string {
  const value = params.get(name)
  if (value === undefined || value === '') {
    throw new ProtocolError('invalid_request', `missing parameter ${name}`)
  }
  return value
}
