import { Client } from '@oidckit/core'
import { createWebAuth } from '@oidckit/node-server'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  signInThroughForms,
  startOidcProvider,
  WEB_LOGOUT,
  WEB_REDIRECT,
  type RunningProvider,
} from '../src/oidc-provider'
import { UserAgent } from '../src/user-agent'

let op: RunningProvider
beforeAll(async () => {
  op = await startOidcProvider()
})
afterAll(() => op?.close())

const APP = 'http://127.0.0.1:3000'

/** The `name=value` pairs of a response's Set-Cookie lines, as the browser would send them. */
function cookies(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='))
    .join('; ')
}

test('RP-9, RP-12: createWebAuth signs a user in through oidc-provider and keeps an encrypted session', async () => {
  const web = createWebAuth<{ email?: string }>({
    issuer: op.issuer,
    clientId: 'web-app',
    clientSecret: 'web-app-secret-0123456789',
    baseUrl: APP,
    secret: 'a-session-secret-of-at-least-32-characters',
    scope: 'openid email',
  })
  const login = await web.login(new Request(`${APP}/login?returnTo=/account`))
  expect(login.status).toBe(303)
  const authorize = new URL(login.headers.get('location')!)
  expect(authorize.origin + authorize.pathname).toBe(`${op.issuer}/auth`)
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')

  const agent = new UserAgent()
  const callback = await signInThroughForms(agent, authorize, {
    login: 'alice',
    redirectUri: WEB_REDIRECT,
  })
  const done = await web.callback(new Request(callback, { headers: { cookie: cookies(login) } }))
  expect(done.status).toBe(303)
  expect(done.headers.get('location')).toBe('/account')
  const sessionCookie = cookies(done)
  expect(sessionCookie).toContain(web.cookieNames.session)
  expect(sessionCookie).not.toContain('alice')

  const session = await web.getSession(
    new Request(`${APP}/account`, { headers: { cookie: sessionCookie } }),
  )
  expect(session?.user).toMatchObject({ sub: 'alice', aud: 'web-app', iss: op.issuer })
  // OIDC Core §5.4: with an access token issued, oidc-provider returns the email scope's claims
  // from userinfo only, not in the ID token that `session.user` holds (see README).
  const client = await Client.discover({
    issuer: op.issuer,
    clientId: 'web-app',
    clientSecret: 'web-app-secret-0123456789',
  })
  expect(await client.userinfo(session!.tokens)).toMatchObject({
    sub: 'alice',
    email: 'alice@example.com',
  })

  // The same callback again (a replayed transaction) is refused.
  const replay = await web.callback(new Request(callback, { headers: { cookie: cookies(login) } }))
  expect(replay.status).toBeGreaterThanOrEqual(400)

  const logout = await web.logout(
    new Request(`${APP}/logout`, { method: 'POST', headers: { cookie: sessionCookie } }),
  )
  const end = new URL(logout.headers.get('location')!)
  expect(end.origin + end.pathname).toBe(`${op.issuer}/session/end`)
  expect(end.searchParams.get('post_logout_redirect_uri')).toBe(WEB_LOGOUT)
  const confirm = await agent.follow(end)
  const back = await agent.submit(
    { html: await confirm.response.text(), url: confirm.url },
    { logout: 'yes' },
    (f) => f.id === 'op.logoutForm',
    (u) => u.href.startsWith(WEB_LOGOUT),
  )
  expect(back.url.href).toBe(WEB_LOGOUT)
  expect(
    await web.getSession(new Request(`${APP}/`, { headers: { cookie: cookies(logout) } })),
  ).toBeNull()
})
