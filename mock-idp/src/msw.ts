import { http, type HttpHandler } from 'msw'
import type { MockIdp } from './mock-idp.js'

/**
 * MSW handlers that send every request for the issuer's origin to `idp.fetch`, in Node
 * (`setupServer`) and in the browser (`setupWorker`).
 *
 * @see https://mswjs.io/docs/api/http
 * @example
 * const idp = createMockIdp()
 * const server = setupServer(...mockIdpHandlers(idp))
 * server.listen({ onUnhandledRequest: 'error' })
 */
export function mockIdpHandlers(idp: MockIdp): HttpHandler[] {
  return [
    http.all(
      ({ request }) => new URL(request.url).origin === new URL(idp.issuer).origin,
      ({ request }) => idp.fetch(request),
    ),
  ]
}
