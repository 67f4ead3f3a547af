import { expect, test } from 'vitest'
import { bearerChallengeError, isInvalidTokenResponse } from './bearer-fetch.js'

test.each([
  ['Bearer error="invalid_token"', 'invalid_token'],
  ['bearer realm="api", error="invalid_token", error_description="expired"', 'invalid_token'],
  ['Bearer error=invalid_token', 'invalid_token'],
  ['Basic realm="x", Bearer realm="api", error="insufficient_scope"', 'insufficient_scope'],
  ['Basic realm="x", error="invalid_token"', undefined],
  ['DPoP error="invalid_token", Bearer realm="api"', undefined],
  ['Bearer', undefined],
  ['', undefined],
  ['Bearer error="unterminated', undefined],
  ['"""===,,,', undefined],
])('reads the Bearer error of %j', (header, error) => {
  expect(bearerChallengeError(header)).toBe(error)
})

test('only a 401 with the Bearer invalid_token error asks for a new token', () => {
  const challenge = { 'www-authenticate': 'Bearer error="invalid_token"' }
  expect(isInvalidTokenResponse(new Response(null, { status: 401, headers: challenge }))).toBe(true)
  expect(isInvalidTokenResponse(new Response(null, { status: 403, headers: challenge }))).toBe(
    false,
  )
  expect(isInvalidTokenResponse(new Response(null, { status: 401 }))).toBe(false)
})
