import { afterEach, expect, test } from 'vitest'
import fc from 'fast-check'
import type { MockIdp } from '@oidckit/mock-idp'
import { authorize, newIdp, openTab, signIn, type Tab } from './harness'
import { expectNoSecrets, secret } from '../../core/test/secret-leaks.js'

// RP-10, RP-20, C-14: neither what handleRedirectCallback() or getAccessToken() reject with,
// nor the error published in the auth state, holds a code, a verifier or a token, whatever the
// provider answers. mock-idp serves everything but the token answers a test replaces.

const tabs: Tab[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.auth.destroy()
})

/** Replaces mock-idp's token answer (given the form sent) while set. */
let tokenAnswer: ((form: URLSearchParams) => Response) | undefined

function tab(idp: MockIdp): Tab {
  tokenAnswer = undefined
  const t = openTab(idp, {
    fetch: async (request) => {
      if (tokenAnswer && new URL(request.url).pathname === '/oauth/token') {
        return tokenAnswer(new URLSearchParams(await request.clone().text()))
      }
      return idp.fetch(request)
    },
  })
  tabs.push(t)
  return t
}

const answer = fc.oneof(
  fc.record({
    kind: fc.constant('refusal' as const),
    status: fc.constantFrom(400, 401),
    error: fc.constantFrom('invalid_grant', 'invalid_request', 'invalid_client'),
    echo: fc.boolean(),
    withTokens: fc.boolean(),
    challenge: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('malformed' as const),
    shape: fc.constantFrom<Record<string, unknown> | 'bare' | 'array'>(
      { token_type: undefined },
      { token_type: 'mac' },
      { expires_in: 'soon' },
      { id_token: 42 },
      'bare',
      'array',
    ),
  }),
)
type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never

/** The answer `a`, carrying new tokens `at` and `rt`, echoing the `sent` form values if asked. */
function serve(a: Answer, sent: string[], at: string, rt: string): Response {
  const tokens = { access_token: at, token_type: 'Bearer', expires_in: 300, refresh_token: rt }
  let body: unknown
  let status = 200
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (a.kind === 'malformed') {
    body = a.shape === 'bare' ? at : a.shape === 'array' ? [tokens] : { ...tokens, ...a.shape }
  } else {
    const description = a.echo ? `refused ${sent.join(' ')}` : 'refused'
    body = { ...(a.withTokens ? tokens : {}), error: a.error, error_description: description }
    status = a.status
    if (a.challenge) headers['www-authenticate'] = 'Basic realm="idp"'
  }
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers })
}

/** The rejection, after checking it is the error the auth state publishes too. */
async function rejection(t: Tab, promise: Promise<unknown>): Promise<unknown> {
  const err = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  )
  expect(t.auth.getState().error).toBe(err)
  return err
}

test('RP-10, C-14: a failed callback leaves no code, verifier or token in the error or the state', async () => {
  const idp = newIdp()
  await fc.assert(
    fc.asyncProperty(answer, async (a) => {
      const t = tab(idp)
      await t.auth.login()
      const callback = await authorize(idp, t.location.assigned.at(-1)!)
      const code = new URL(callback).searchParams.get('code')!
      const verifier = [...t.transactions.map.values()]
        .map((raw) => (JSON.parse(raw) as { codeVerifier: string }).codeVerifier)
        .at(-1)!
      const [at, rt] = [secret('AT'), secret('RT')]
      tokenAnswer = (form) =>
        serve(a, [form.get('code') ?? '', form.get('code_verifier') ?? ''], at, rt)
      t.location.current = callback
      const err = await rejection(t, t.auth.handleRedirectCallback())
      await expectNoSecrets(err, [code, verifier, at, rt])
    }),
    { numRuns: 20 },
  )
})

test('RP-10, C-14: a callback with ?error= and a code keeps the code out of the error', async () => {
  const idp = newIdp()
  const t = tab(idp)
  await t.auth.login()
  const callback = new URL(await authorize(idp, t.location.assigned.at(-1)!))
  const code = callback.searchParams.get('code')!
  callback.searchParams.set('error', 'access_denied')
  callback.searchParams.set('error_description', `the user declined code ${code}`)
  t.location.current = callback.href
  const err = await rejection(t, t.auth.handleRedirectCallback())
  expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_RESPONSE', error: 'access_denied' })
  await expectNoSecrets(err, [code])
})

test('RP-10, RP-20: a failed refresh leaves no token in getAccessToken()’s error or the state', async () => {
  const idp = newIdp()
  await fc.assert(
    fc.asyncProperty(answer, async (a) => {
      const t = tab(idp)
      await signIn(idp, t)
      const old = await t.auth.getAccessToken()
      idp.clock.advance(3600 * 2)
      const [at, rt] = [secret('AT'), secret('RT')]
      let sentRefreshToken = ''
      tokenAnswer = (form) => {
        sentRefreshToken = form.get('refresh_token') ?? ''
        return serve(a, [sentRefreshToken], at, rt)
      }
      const err = await rejection(t, t.auth.getAccessToken())
      expect(sentRefreshToken).not.toBe('')
      await expectNoSecrets(err, [sentRefreshToken, old, at, rt])
    }),
    { numRuns: 20 },
  )
})
