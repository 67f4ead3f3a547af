import { describe, expect, test, vi } from 'vitest'
import {
  isCompactJws,
  OAuthError,
  OidcKitError,
  Subscribable,
  TokenSet,
  createPkce,
  randomNonce,
  randomState,
} from '@oidckit/core'

describe('createPkce', () => {
  test('returns a 43-character verifier and its S256 challenge', async () => {
    const pkce = await createPkce()
    expect(pkce.method).toBe('S256')
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pkce.verifier))
    const expected = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    expect(pkce.challenge).toBe(expected)
  })

  test('C-5: creates a different verifier for every transaction', async () => {
    const [a, b] = await Promise.all([createPkce(), createPkce()])
    expect(a.verifier).not.toBe(b.verifier)
  })
})

test('randomState and randomNonce return distinct 32-byte base64url strings', () => {
  const values = new Set([randomState(), randomState(), randomNonce(), randomNonce()])
  expect(values.size).toBe(4)
  for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/)
})

describe('TokenSet', () => {
  const payload = btoa(JSON.stringify({ sub: 'alice', iss: 'https://id.test' }))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
  const idToken = `eyJhbGciOiJSUzI1NiJ9.${payload}.sig`

  test('computes expiresAt from the injected clock', () => {
    const tokens = new TokenSet(
      { accessToken: 'at', tokenType: 'Bearer', expiresIn: 300 },
      { clock: () => 1_000_000 },
    )
    expect(tokens.expiresAt).toBe(1300)
    expect(tokens.expiresIn).toBe(300)
    expect(tokens.tokenType).toBe('bearer')
  })

  test('isExpired honours the leeway and the clock', () => {
    let now = 1_000_000
    const tokens = new TokenSet(
      { accessToken: 'at', tokenType: 'bearer', expiresIn: 300 },
      { clock: () => now },
    )
    expect(tokens.isExpired()).toBe(false)
    expect(tokens.isExpired(301)).toBe(true)
    now += 300_000
    expect(tokens.isExpired()).toBe(true)
  })

  test('a TokenSet without expiresAt never expires by itself', () => {
    expect(new TokenSet({ accessToken: 'at', tokenType: 'bearer' }).isExpired(1e9)).toBe(false)
  })

  test('round-trips through JSON, decoding the ID token claims again', () => {
    const tokens = new TokenSet(
      {
        accessToken: 'at',
        tokenType: 'bearer',
        expiresIn: 60,
        refreshToken: 'rt',
        idToken,
        scope: 'openid',
      },
      { clock: () => 0 },
    )
    const restored = TokenSet.fromJSON(JSON.parse(JSON.stringify(tokens)), { clock: () => 0 })
    expect(restored.toJSON()).toEqual(tokens.toJSON())
    expect(restored.claims()).toMatchObject({ sub: 'alice' })
    expect(restored.expiresAt).toBe(60)
  })

  test('fromJSON rejects data that is not a stored TokenSet with a coded TypeError', () => {
    expect(() => TokenSet.fromJSON('nope')).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    )
    expect(() => TokenSet.fromJSON({ tokenType: 'bearer' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    )
    expect(() =>
      TokenSet.fromJSON({ accessToken: 'a', tokenType: 'bearer', expiresAt: 'x' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

describe('Subscribable', () => {
  test('notifies subscribers of changes until they unsubscribe', () => {
    const store = new Subscribable(1)
    const listener = vi.fn()
    const unsubscribe = store.subscribe(listener)
    store.set(2)
    store.set(2)
    unsubscribe()
    store.set(3)
    expect(listener.mock.calls).toEqual([[2]])
    expect(store.get()).toBe(3)
  })

  test('a throwing subscriber does not stop the others', () => {
    const store = new Subscribable('a')
    const second = vi.fn()
    store.subscribe(() => {
      throw new Error('boom')
    })
    store.subscribe(second)
    expect(() => store.set('b')).toThrow('boom')
    expect(second).toHaveBeenCalledWith('b')
  })
})

describe('errors', () => {
  test('RP-11: OAuthError strips CR and LF from server text', () => {
    const err = new OAuthError('ERR_OAUTH_RESPONSE', 'refused', {
      error: 'invalid_grant',
      errorDescription: 'line one\r\nSet-Cookie: x=1',
      status: 400,
      response: new Response(null, { status: 400 }),
    })
    expect(err.errorDescription).toBe('line one Set-Cookie: x=1')
    expect(err).toBeInstanceOf(OidcKitError)
    expect(err.name).toBe('OAuthError')
    expect(Object.keys(err)).not.toContain('response')
    expect(err.response?.status).toBe(400)
  })
})

test('C-10, C-7: the public API offers no password grant and no implicit flow', async () => {
  const core = await import('@oidckit/core')
  const names = [
    ...Object.keys(core),
    ...Object.getOwnPropertyNames(core.Client.prototype),
    ...Object.getOwnPropertyNames(core.Client),
  ]
  expect(names.filter((name) => /password|ropc|implicit/i.test(name))).toEqual([])
})

test('RP-14: isCompactJws accepts only canonical base64url compact JWS', () => {
  expect(isCompactJws('eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl')).toBe(true)
  expect(isCompactJws('eyJhbGciOiJSUzI1NiJ9.e30.QQ')).toBe(true)
  // Unsecured: well formed here, refused by the alg check.
  expect(isCompactJws('eyJhbGciOiJub25lIn0.e30.')).toBe(true)
  for (const token of [
    'eyJhbGciOiJSUzI1NiJ9.e30=.c2lnbmF0dXJl',
    'eyJhbGciOiJSUzI1NiJ9.e30.c2ln+mF0dXJl',
    'eyJhbGciOiJSUzI1NiJ9.e30.c2ln/mF0dXJl',
    'eyJhbGciOiJSUzI1NiJ9.e30.QR',
    'eyJhbGciOiJSUzI1NiJ9.e30.QUF',
    'eyJhbGciOiJSUzI1NiJ9.e30.Q',
    'eyJhbGciOiJSUzI1NiJ9. e30.c2ln',
    '.e30.c2ln',
    'eyJhbGciOiJSUzI1NiJ9.e30.c2ln.c2ln',
    'eyJhbGciOiJSUzI1NiJ9.e30',
    42,
  ]) {
    expect(isCompactJws(token)).toBe(false)
  }
})
