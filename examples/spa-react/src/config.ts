/** Where the example finds its provider and API; override with VITE_OIDC_ISSUER / VITE_API_URL. */
export const config = {
  issuer: import.meta.env.VITE_OIDC_ISSUER ?? 'http://localhost:9400',
  apiUrl: import.meta.env.VITE_API_URL ?? 'http://localhost:4000',
  clientId: 'spa',
  redirectUri: 'http://localhost:5173/callback',
  postLogoutRedirectUri: 'http://localhost:5173/',
  // api:read lets the token call the example API's GET /api/data.
  scope: 'openid profile email offline_access api:read',
}
