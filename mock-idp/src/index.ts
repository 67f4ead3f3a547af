export type { MockIdpClock } from './clock.js'
export { createClock } from './clock.js'
export type {
  ClientAuthMethod,
  GrantType,
  MockIdpClient,
  MockIdpConfig,
  MockIdpStorage,
  MockIdpUser,
  SigningAlg,
} from './config.js'
export { createMockIdp } from './create-mock-idp.js'
export { defaultConfig } from './default-config.js'
export { MockIdpConfigError } from './errors.js'
export type { EndpointName, MockIdpFault } from './faults.js'
export type { ListenOptions, MockIdpServer } from './listen.js'
export type { IssueTokensOptions, MockIdp } from './mock-idp.js'
export type { DecodedJwt, LoggedRequest } from './request-log.js'
export type { TokenResponseBody } from './tokens.js'
