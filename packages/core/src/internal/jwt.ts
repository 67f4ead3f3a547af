import { argumentError, isObject } from './assert.js'

function base64urlDecode(input: string): Uint8Array {
  const base64 = input.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export function base64urlEncode(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function decodePart(jwt: string, index: 0 | 1): Record<string, unknown> {
  const part = jwt.split('.')[index]
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64urlDecode(part ?? '')))
    if (isObject(value)) return value
  } catch {
    // fall through to the error below
  }
  throw argumentError('ERR_INVALID_ARG_VALUE', 'The ID token is not a well-formed JWT.')
}

/** Decodes, without verifying, a JWT's payload. Only for tokens validated earlier. */
export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return decodePart(jwt, 1)
}

/** Decodes, without verifying, a JWT's protected header. */
export function decodeJwtHeader(jwt: string): Record<string, unknown> {
  return decodePart(jwt, 0)
}
