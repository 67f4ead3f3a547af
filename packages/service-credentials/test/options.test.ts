import { expect, test } from 'vitest'
import { createTokenSource } from '@oidckit/service-credentials'
import type { TokenSourceOptions } from '@oidckit/service-credentials'
import { ISSUER, counting, createIdp } from './helpers.js'

const base: TokenSourceOptions = { issuer: ISSUER, clientId: 'service', clientSecret: 's' }

const typeError = (code: string) => expect.objectContaining({ name: 'TypeError', code })

test.each([
  ['no options', undefined, 'ERR_INVALID_ARG_TYPE'],
  ['a missing clientId', { ...base, clientId: undefined }, 'ERR_INVALID_ARG_TYPE'],
  ['an empty clientId', { ...base, clientId: '' }, 'ERR_INVALID_ARG_TYPE'],
  ['no secret or key', { ...base, clientSecret: undefined }, 'ERR_INVALID_ARG_VALUE'],
  ['a numeric secret', { ...base, clientSecret: 42 }, 'ERR_INVALID_ARG_TYPE'],
  ['neither issuer nor tokenEndpoint', { ...base, issuer: undefined }, 'ERR_INVALID_ARG_VALUE'],
  [
    'a tokenEndpoint that is not a URL',
    { ...base, tokenEndpoint: 'nope' },
    'ERR_INVALID_ARG_VALUE',
  ],
  ['a negative leeway', { ...base, leeway: -1 }, 'ERR_INVALID_ARG_VALUE'],
  ['a NaN leeway', { ...base, leeway: Number.NaN }, 'ERR_INVALID_ARG_TYPE'],
  ['a string leeway', { ...base, leeway: '60' }, 'ERR_INVALID_ARG_TYPE'],
  ['an infinite deadline', { ...base, deadline: Infinity }, 'ERR_INVALID_ARG_VALUE'],
  ['a refreshFraction above 1', { ...base, refreshFraction: 2 }, 'ERR_INVALID_ARG_VALUE'],
  ['retry: true', { ...base, retry: true }, 'ERR_INVALID_ARG_TYPE'],
  ['zero attempts', { ...base, retry: { maxAttempts: 0 } }, 'ERR_INVALID_ARG_VALUE'],
  ['a non-function fetch', { ...base, fetch: 'fetch' }, 'ERR_INVALID_ARG_TYPE'],
  ['a non-function onEvent', { ...base, onEvent: {} }, 'ERR_INVALID_ARG_TYPE'],
  ['a scope with a quote', { ...base, scope: 'api:read "x' }, 'ERR_INVALID_ARG_VALUE'],
  ['a numeric scope', { ...base, scope: 7 }, 'ERR_INVALID_ARG_TYPE'],
  ['a relative resource', { ...base, resource: '/api' }, 'ERR_INVALID_ARG_VALUE'],
  [
    'a resource with a fragment',
    { ...base, resource: 'https://a.test/#x' },
    'ERR_INVALID_ARG_VALUE',
  ],
  [
    'resource and audience that differ',
    { ...base, resource: 'https://a.test', audience: 'https://b.test' },
    'ERR_INVALID_ARG_VALUE',
  ],
  [
    'an unknown auth method',
    { ...base, tokenEndpointAuthMethod: 'magic' },
    'ERR_INVALID_ARG_VALUE',
  ],
])('throws a coded TypeError for %s', (_name, options, code) => {
  expect(() => createTokenSource(options as TokenSourceOptions)).toThrow(typeError(code))
})

test('refuses an http token endpoint off loopback', () => {
  expect(() =>
    createTokenSource({
      ...base,
      issuer: undefined,
      tokenEndpoint: 'http://idp.example.com/token',
    }),
  ).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/http/) }))
})

test('rejects getToken with a coded TypeError for bad overrides, without a request', async () => {
  const idp = createIdp()
  const net = counting(idp.fetch)
  const source = createTokenSource({ ...base, fetch: net.fetch })
  await expect(source.getToken({ scope: 5 } as never)).rejects.toThrow(
    typeError('ERR_INVALID_ARG_TYPE'),
  )
  await expect(source.getTokenSet({ resource: 'relative' })).rejects.toThrow(
    typeError('ERR_INVALID_ARG_VALUE'),
  )
  await expect(source.getToken('api:read' as never)).rejects.toThrow(
    typeError('ERR_INVALID_ARG_TYPE'),
  )
  expect(() => source.invalidate({ scope: 5 } as never)).toThrow(typeError('ERR_INVALID_ARG_TYPE'))
  expect(net.tokenRequests()).toBe(0)
})

test('surfaces an issuer whose discovery document names another issuer as DiscoveryError', async () => {
  const idp = createIdp()
  const source = createTokenSource({
    ...base,
    issuer: 'http://localhost:9401',
    fetch: (request) => idp.fetch(request),
  })
  await expect(source.getToken()).rejects.toMatchObject({
    name: 'DiscoveryError',
    code: 'ERR_DISCOVERY_ISSUER_MISMATCH',
  })
})
