import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { expect, test } from 'vitest'
import { createMockIdp, defaultConfig } from '@oidckit/mock-idp'
import { createWebAuth, memorySessionStore, toNodeHandler } from '@oidckit/node-server'
import type { WebAuth } from '@oidckit/node-server'
import { SECRET, signIn } from './support/web-flow'

test('RP-21: over loopback HTTP, mock-idp’s logout token reaches the Express route and ends the session', async () => {
  let web: WebAuth | undefined
  const app = express()
  app.post('/backchannel-logout', (req, res, next) =>
    toNodeHandler(web!.backchannelLogout)(req, res, next),
  )
  app.get('/auth/session', (req, res, next) => toNodeHandler(web!.sessionInfo)(req, res, next))
  const server = createServer(app).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const config = defaultConfig()
  const idp = createMockIdp({
    ...config,
    issuer: undefined, // the address it listens on
    autoLogin: 'alice',
    clients: config.clients!.map((client) =>
      client.clientId === 'web-app'
        ? {
            ...client,
            redirectUris: [`${base}/callback`],
            backchannelLogoutUri: `${base}/backchannel-logout`,
          }
        : client,
    ),
  })
  const provider = await idp.listen({ port: 0, host: '127.0.0.1' })
  try {
    web = createWebAuth({
      issuer: provider.url,
      clientId: 'web-app',
      clientSecret: 'web-app-secret',
      baseUrl: base,
      secret: SECRET,
      store: memorySessionStore(),
    })
    const { cookies } = await signIn(web, idp, '/', base)
    const info = async () =>
      (await fetch(`${base}/auth/session`, { headers: { cookie: cookies } })).json()
    expect(await info()).toMatchObject({ authenticated: true, user: { sub: 'user-alice' } })
    expect(await idp.endSessions('alice')).toBeGreaterThan(0)
    await idp.flush()
    expect(await info()).toEqual({ authenticated: false })
  } finally {
    await provider.close()
    await new Promise((resolve) => server.close(resolve))
  }
})
