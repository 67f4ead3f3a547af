// oidc-provider (a certified OP) with one client_credentials client whose tokens are RS256
// JWTs for the demo API, like mock-idp's; its bundled development keys, so no key generation.
import Provider from 'oidc-provider'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
const audience = 'http://localhost:4000'

const provider = new Provider(`http://127.0.0.1:${port}`, {
  scopes: ['openid', 'api:read', 'api:write'],
  clients: [
    {
      client_id: 'service',
      client_secret: 'service-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'api:read api:write',
    },
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        audience,
        scope: 'api:read api:write',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
})
provider.listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
