import type { MockIdpConfig } from './config.js'

const demoAudience = 'http://localhost:4000'

/**
 * The bare configuration: four demo clients and two demo users, what the CLI serves when started
 * without `--config`. Returns a fresh copy each call.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @example
 * const idp = createMockIdp({ ...defaultConfig(), accessTokenTtl: 60 })
 */
export function defaultConfig(): Required<Pick<MockIdpConfig, 'issuer' | 'clients' | 'users'>> {
  return {
    issuer: 'http://localhost:9400',
    clients: [
      {
        clientId: 'spa',
        name: 'Demo SPA',
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['http://localhost:5173/callback', 'http://127.0.0.1:5173/callback'],
        postLogoutRedirectUris: ['http://localhost:5173/', 'http://127.0.0.1:5173/'],
        grantTypes: ['authorization_code', 'refresh_token'],
        audience: demoAudience,
      },
      {
        clientId: 'web-app',
        name: 'Demo web app',
        clientSecret: 'web-app-secret',
        tokenEndpointAuthMethod: 'client_secret_basic',
        redirectUris: ['http://localhost:3000/callback'],
        postLogoutRedirectUris: ['http://localhost:3000/'],
        grantTypes: ['authorization_code', 'refresh_token'],
        audience: demoAudience,
      },
      {
        clientId: 'service',
        name: 'Demo service',
        clientSecret: 'service-secret',
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: ['client_credentials'],
        scope: 'api:read api:write',
        audience: demoAudience,
      },
      {
        clientId: 'cli',
        name: 'Demo CLI',
        tokenEndpointAuthMethod: 'none',
        grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        audience: demoAudience,
      },
    ],
    users: [
      {
        sub: 'user-alice',
        username: 'alice',
        password: 'alice-password',
        claims: {
          name: 'Alice Liddell',
          displayName: 'Alice',
          given_name: 'Alice',
          family_name: 'Liddell',
          email: 'alice@example.com',
          email_verified: true,
          owner: 'acme',
          isAdmin: false,
          type: 'normal-user',
        },
      },
      {
        sub: 'user-bob',
        username: 'bob',
        password: 'bob-password',
        claims: {
          name: 'Bob Builder',
          displayName: 'Bob',
          given_name: 'Bob',
          family_name: 'Builder',
          email: 'bob@example.com',
          email_verified: true,
          owner: 'acme',
          isAdmin: true,
          type: 'normal-user',
        },
      },
    ],
  }
}
