import { isLoginRequired } from '@oidckit/device-cli'
import { callApi } from './call-api.js'

// A tool that calls an API as the user signed in with `oidckit login`.
try {
  const me = await callApi({ apiUrl: process.env.API_URL })
  console.log(JSON.stringify(me, null, 2))
} catch (err) {
  console.error(isLoginRequired(err) ? err.message : `example-cli: ${(err as Error).message}`)
  process.exitCode = 1
}
