/**
 * A configuration that mock-idp cannot serve safely: a bad issuer, a fragment in a redirect URI,
 * a secret on a public client... The message names the field.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @example
 * try {
 *   createMockIdp({ issuer: 'not a url' })
 * } catch (err) {
 *   if (err instanceof MockIdpConfigError) console.error(err.message)
 * }
 */
export class MockIdpConfigError extends Error {
  readonly code = 'ERR_INVALID_ARG_VALUE'

  constructor(message: string) {
    super(message)
    this.name = 'MockIdpConfigError'
  }
}
