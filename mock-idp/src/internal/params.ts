import { ProtocolError } from './protocol-error.js'

/** Request bodies above this are refused with 413 (AS-17). */
export const MAX_BODY_BYTES = 64 * 1024
/** URLs above this are refused with 414 (AS-17). */
export const MAX_URL_LENGTH = 8 * 1024

/** Parameters of one request, each present at most once (AS-5). */
export type Params = Map<string, string>

const bodies = new WeakMap<Request, Promise<string>>()

/**
 * Reads the body as text, refusing more than {@link MAX_BODY_BYTES} without buffering it all.
 * Read once per request: the request log and the endpoint share the same read, so no body is
 * ever cloned.
 */
export function readBodyText(request: Request): Promise<string> {
  let text = bodies.get(request)
  if (!text) {
    text = readBody(request)
    bodies.set(request, text)
  }
  return text
}

/**
 * Hands over a body that the Node listener has already read (`undefined`: it was longer than
 * {@link MAX_BODY_BYTES}), so a request from the network skips web streams altogether.
 */
export function setBodyText(request: Request, text: string | undefined): void {
  const read = text === undefined ? Promise.reject(tooLarge()) : Promise.resolve(text)
  read.catch(() => undefined) // refused when (and only when) an endpoint reads it
  bodies.set(request, read)
}

async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => undefined)
        throw tooLarge()
      }
      chunks.push(value)
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError('invalid_request', 'the request body could not be read')
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function tooLarge(): ProtocolError {
  return new ProtocolError('invalid_request', `request body exceeds ${MAX_BODY_BYTES} bytes`, 413)
}

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
  request: Request,
  options: { json: boolean },
): Promise<Params> {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  const text = await readBodyText(request)
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

/** Reads the parameters of a GET (query) or POST (body) request. */
export async function readRequestParams(
  request: Request,
  url: URL,
  options: { json: boolean },
): Promise<Params> {
  if (request.method === 'GET' || request.method === 'HEAD')
    return parseSearchParams(url.searchParams)
  return readBodyParams(request, options)
}

/** A required parameter, or `invalid_request`. */
export function required(params: Params, name: string): string {
  const value = params.get(name)
  if (value === undefined || value === '') {
    throw new ProtocolError('invalid_request', `missing parameter ${name}`)
  }
  return value
}
