/**
 * Where the example finds its provider and API, and where it is served; override with
 * VITE_OIDC_ISSUER, VITE_API_URL and VITE_APP_ORIGIN at build time.
 */
const appOrigin = import.meta.env.VITE_APP_ORIGIN ?? 'http://localhost:5173'

export const config = {
  issuer: import.meta.env.VITE_OIDC_ISSUER ?? 'http://localhost:9400',
  apiUrl: import.meta.env.VITE_API_URL ?? 'http://localhost:4000',
  clientId: 'spa',
  redirectUri: `${appOrigin}/callback`,
  postLogoutRedirectUri: `${appOrigin}/`,
  // api:read lets the token call the example API's GET /api/data.
  scope: 'openid profile email offline_access api:read',
}
