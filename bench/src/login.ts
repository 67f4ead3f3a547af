import { createHash, randomBytes } from 'node:crypto'
import { Client, createPkce, randomNonce, randomState } from '@oidckit/core'
import { createMockIdp, type MockIdp } from '@oidckit/mock-idp'
import { Browser } from './browser.js'
import type { BenchConfig } from './config.js'
import { makeFigure, type Figure } from './figure.js'

const REDIRECT_URI = 'http://localhost:5173/callback'
const USER = { username: 'alice', password: 'alice-password' }

/** Opens the authorization URL, fills in the login form, and returns the callback URL. */
async function signIn(idp: MockIdp, url: URL): Promise<URL> {
  const browser = new Browser(idp)
  const page = await browser.request(url)
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}`)
  const done = await browser.submit(await page.text(), USER)
  const location = done.headers.get('location')
  if (!location) throw new Error(`the login form answered ${done.status} without a redirect`)
  return new URL(location)
}

/** A whole login with @oidckit/core: PKCE, state, nonce, code exchange, ID token validation. */
async function clientLogin(idp: MockIdp, client: Client): Promise<void> {
  const pkce = await createPkce()
  const state = randomState()
  const nonce = randomNonce()
  const url = client.authorizationUrl({
    scope: 'openid profile email',
    state,
    nonce,
    codeChallenge: pkce.challenge,
  })
  const callback = await signIn(idp, url)
  const tokens = await client.authorizationCodeGrant(callback, {
    state,
    nonce,
    codeVerifier: pkce.verifier,
  })
  if (tokens.claims()?.sub !== 'user-alice') throw new Error('the login returned another user')
}

/** The same requests without a client library: no validation of anything mock-idp returns. */
async function rawLogin(idp: MockIdp): Promise<void> {
  const verifier = randomBytes(32).toString('base64url')
  const url = new URL(`${idp.issuer}/oauth/authorize`)
  url.search = new URLSearchParams({
    client_id: 'spa',
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email',
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString()
  const callback = await signIn(idp, url)
  const res = await idp.fetch(
    new Request(`${idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        client_id: 'spa',
      }),
    }),
  )
  if (res.status !== 200) throw new Error(`the token endpoint answered ${res.status}`)
  await res.json()
}

async function msPerLogin(login: () => Promise<void>, count: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < count; i++) await login()
  return (performance.now() - start) / count
}

/**
 * Milliseconds per authorization code + PKCE login through mock-idp in-process (authorize,
 * login form post, callback, token exchange, ID token validation) with @oidckit/core's Client;
 * anchor: the same requests sent by hand, validating nothing.
 */
export async function benchLogin(config: BenchConfig): Promise<Figure[]> {
  const idp = createMockIdp()
  const client = await Client.discover({
    issuer: idp.issuer,
    clientId: 'spa',
    redirectUri: REDIRECT_URI,
    fetch: (request) => idp.fetch(request),
  })
  const withClient = () => clientLogin(idp, client)
  const raw = () => rawLogin(idp)
  await withClient() // keys, JWKS cache and JIT warm-up
  await raw()
  const samples: number[] = []
  const anchor: number[] = []
  for (let run = 0; run < config.runs; run++) {
    samples.push(await msPerLogin(withClient, config.logins))
    anchor.push(await msPerLogin(raw, config.logins))
  }
  return [
    makeFigure({
      name: 'login, code + PKCE with @oidckit/core',
      unit: 'ms/login',
      samples,
      anchor: { name: 'the same requests by hand', samples: anchor },
    }),
  ]
}
