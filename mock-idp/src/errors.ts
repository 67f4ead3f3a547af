/**
 * A configuration that mock-idp cannot serve safely: a bad issuer, a fragment in a redirect URI,
 * a secret on a public client, a misspelled key... The message names the field; for a key
 * mock-idp does not know, `key`, `where` and `suggestion` say which, where, and what was meant.
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
  /** For an unknown key: the key as written (`redirectUri`). */
  readonly key: string | undefined
  /** For an unknown key: where it was (`the config`, `client spa (clients[0])`, `user alice (users[1])`). */
  readonly where: string | undefined
  /** For an unknown key: the known key it is closest to, if it looks like a typo of one. */
  readonly suggestion: string | undefined

  constructor(
    message: string,
    unknownKey?: { key: string; where: string; suggestion: string | undefined },
  ) {
    super(message)
    this.name = 'MockIdpConfigError'
    this.key = unknownKey?.key
    this.where = unknownKey?.where
    this.suggestion = unknownKey?.suggestion
  }
}
