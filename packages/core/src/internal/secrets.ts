/** The credentials of one exchange, sent or received, to keep out of its errors (RP-10, RP-18). */
export type Secrets = Set<string>

// Form and JSON members that carry a credential: RFC 6749 §4–6, RFC 7009, RFC 7523, RFC 7591,
// RFC 7662, RFC 8628, RFC 8693.
const CREDENTIAL =
  /^(?:(?:access|refresh|id|subject|actor|registration_access)_token|code(?:_verifier)?|device_code|client_(?:secret|assertion)|assertion|token|password)$/

/** Records `value`; shorter than 8 characters it is left alone, as redacting it would shred text. */
export function addSecret(secrets: Secrets | undefined, value: unknown): void {
  if (typeof value === 'string' && value.length > 7) secrets?.add(value)
}

/**
 * Records the credentials of a request (its credential form parameters and `Authorization`) or
 * of an answer (its top-level credential members, or the whole body of a JWT answer).
 */
export function collectSecrets(
  secrets: Secrets | undefined,
  body: unknown,
  authorization?: string | null,
): void {
  if (typeof body === 'string') addSecret(secrets, body)
  else if (body instanceof URLSearchParams || (typeof body === 'object' && body !== null)) {
    const members = body instanceof URLSearchParams ? body : Object.entries(body)
    for (const [name, value] of members) if (CREDENTIAL.test(name)) addSecret(secrets, value)
  }
  const [scheme = '', credentials] = authorization?.split(' ') ?? []
  addSecret(secrets, credentials)
  if (credentials && /^basic$/i.test(scheme)) {
    try {
      // RFC 6749 §2.3.1: the secret is form-encoded before the Basic encoding.
      const password = atob(credentials).replace(/^[^:]*:/, '')
      addSecret(secrets, password)
      addSecret(secrets, decodeURIComponent(password.replace(/\+/g, ' ')))
    } catch {
      // Not readable as Basic credentials: the header value itself is recorded.
    }
  }
}

/** `text` with every recorded credential replaced by `[redacted]`, longest first. */
export function redact<T extends string | undefined>(
  text: T,
  secrets: ReadonlySet<string> | undefined,
): T {
  let result: string | undefined = text
  for (const value of [...(secrets ?? [])].sort((a, b) => b.length - a.length)) {
    result = result?.split(value).join('[redacted]')
  }
  return result as T
}
