/* global document, location */
// A minimal SPA login with @oidckit/browser-pkce: create the client, log in, handle the
// callback, get a token.
import { createBrowserAuth } from '@oidckit/browser-pkce'

const auth = createBrowserAuth({
  issuer: 'http://localhost:9400',
  clientId: 'spa',
  redirectUri: `${location.origin}/callback`,
})

if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
else if (!auth.isAuthenticated) await auth.login({ returnTo: '/' })
document.body.textContent = await auth.getAccessToken()
