import type { MockIdpConfig } from '@oidckit/mock-idp'

/** The API the Hanzo-style clients get tokens for (their `audience`). */
export const HANZO_API = 'http://127.0.0.1:4000'
export const HANZO_SPA_REDIRECT = 'http://127.0.0.1:5173/callback'
export const HANZO_SPA_LOGOUT = 'http://127.0.0.1:5173/'
export const HANZO_WEB_REDIRECT = 'http://127.0.0.1:3000/callback'

/** The Hanzo IAM (hanzo.id) user record claims that oidckit apps read. */
export interface HanzoClaims {
  owner: string
  name: string
  displayName: string
  isAdmin: boolean
  type: string
  email?: string
}

/**
 * mock-idp configured the way Hanzo IAM is deployed: `app-<name>` client ids, the
 * organisation in `owner`, `isAdmin` and `type` on every user record, 7200 s access tokens,
 * and the Hanzo endpoint layout (mock-idp's own: `/oauth/authorize`, `/oauth/token`, ...).
 */
export function hanzoIamConfig(): MockIdpConfig {
  return {
    accessTokenTtl: 7200,
    deviceCodeInterval: 1,
    clients: [
      {
        clientId: 'app-hanzo-spa',
        name: 'Hanzo console',
        tokenEndpointAuthMethod: 'none',
        redirectUris: [HANZO_SPA_REDIRECT],
        postLogoutRedirectUris: [HANZO_SPA_LOGOUT],
        grantTypes: ['authorization_code', 'refresh_token'],
        audience: HANZO_API,
      },
      {
        clientId: 'app-hanzo-web',
        name: 'Hanzo web',
        clientSecret: 'hanzo-web-secret',
        tokenEndpointAuthMethod: 'client_secret_post',
        redirectUris: [HANZO_WEB_REDIRECT],
        grantTypes: ['authorization_code', 'refresh_token'],
        audience: HANZO_API,
      },
      {
        clientId: 'app-hanzo-service',
        name: 'Hanzo billing worker',
        clientSecret: 'hanzo-service-secret',
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: ['client_credentials'],
        scope: 'api:read api:write',
        audience: HANZO_API,
        serviceAccount: 'billing-bot',
      },
      {
        clientId: 'app-hanzo-cli',
        name: 'Hanzo CLI',
        tokenEndpointAuthMethod: 'none',
        grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        audience: HANZO_API,
      },
    ],
    users: [
      {
        sub: 'hanzo/z',
        username: 'z',
        password: 'z-password',
        claims: {
          owner: 'hanzo',
          name: 'z',
          displayName: 'Zach Kelling',
          email: 'z@hanzo.ai',
          email_verified: true,
          isAdmin: true,
          type: 'normal-user',
        },
      },
      {
        sub: 'acme/ann',
        username: 'ann',
        password: 'ann-password',
        claims: {
          owner: 'acme',
          name: 'ann',
          displayName: 'Ann Acme',
          email: 'ann@acme.test',
          email_verified: true,
          isAdmin: false,
          type: 'normal-user',
        },
      },
      {
        sub: 'hanzo/billing-bot',
        username: 'billing-bot',
        password: 'billing-bot-password',
        claims: {
          owner: 'hanzo',
          name: 'billing-bot',
          displayName: 'Billing bot',
          isAdmin: false,
          type: 'service-account',
        },
      },
    ],
  }
}
