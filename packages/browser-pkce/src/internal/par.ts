// Loaded by `login()` only when the provider requires pushed authorization requests (a dynamic
// import): other apps never download the PAR code.
export { pushAuthorizationRequest } from '@oidckit/core'
