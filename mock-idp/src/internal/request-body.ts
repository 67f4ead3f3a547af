import { ProtocolError } from './protocol-error.js'

/** Request bodies above this are refused with 413 (AS-17). */
export const MAX_BODY_BYTES = 64 * 1024

/**
 * The body of one request, read at most once, when first needed, and shared by the request log
 * and the endpoint, so no body is ever cloned. The Node listener hands over the text it has
 * already read (`null`: it was longer than {@link MAX_BODY_BYTES}), so a request from the
 * network skips web streams altogether; otherwise the request's own stream is read.
 */
export class RequestBody {
  readonly request: Request
  #text: string | null | Promise<string> | undefined

  constructor(request: Request, text?: string | null) {
    this.request = request
    this.#text = text
  }

  /** The body as text, or a 413 {@link ProtocolError} past {@link MAX_BODY_BYTES}. */
  text(): string | Promise<string> {
    const text = this.#text
    if (text === null) throw tooLarge()
    if (text !== undefined) return text
    const read = readStream(this.request)
    this.#text = read
    return read
  }
}

async function readStream(request: Request): Promise<string> {
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
