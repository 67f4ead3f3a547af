import { createTokenSource } from '@oidckit/service-credentials'
import type { FetchLike, TokenSourceEvent } from '@oidckit/service-credentials'

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /** mock-idp (or any provider) issuing the service's tokens. */
  issuer: string
  /** Where the example API listens, e.g. `http://localhost:4000`. */
  apiUrl: string
  /** The API's identifier, sent as the RFC 8707 resource. Default `http://localhost:4000`. */
  audience?: string
  clientId?: string
  clientSecret?: string
  /** Used for the provider and the API; tests may route it in-process. */
  fetch?: FetchLike
  /** One line per call or event; never given a token or a secret. */
  log?: (line: string) => void
}

/** What one call to the API gave. */
export interface CallResult {
  status: number
  body: unknown
}

/**
 * A service worker calling the example API's `GET /api/data` (scope `api:read`) with a
 * client-credentials token from the provider's `service` client.
 */
export function createWorker(options: WorkerOptions) {
  const log = options.log ?? ((line: string) => console.log(line))
  const source = createTokenSource({
    issuer: options.issuer,
    clientId: options.clientId ?? 'service',
    clientSecret: options.clientSecret ?? 'service-secret',
    scope: 'api:read',
    resource: options.audience ?? 'http://localhost:4000',
    fetch: options.fetch,
    onEvent: (event) => log(describeEvent(event)),
  })

  /** Calls the API once; rejects with the token error (`OAuthError`, `NetworkError`…) if there is no token. */
  async function callOnce(): Promise<CallResult> {
    const response = await source.fetch(new URL('/api/data', options.apiUrl))
    const text = await response.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body }
  }

  /** Calls the API every `intervalMs`, logging one line per call; returns a stop function. */
  function start(intervalMs: number): () => void {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async () => {
      try {
        const { status, body } = await callOnce()
        const items = isItems(body) ? `${body.items.length} items` : JSON.stringify(body)
        log(`GET /api/data -> ${status} ${items}`)
      } catch (err) {
        const error = err as Error & { code?: string }
        log(`GET /api/data failed: ${error.name} ${error.code ?? ''} ${error.message}`)
      }
      if (!stopped) timer = setTimeout(tick, intervalMs)
    }
    void tick()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }

  return { callOnce, start, source }
}

function isItems(body: unknown): body is { items: unknown[] } {
  return (
    typeof body === 'object' && body !== null && Array.isArray((body as { items?: unknown }).items)
  )
}

function describeEvent(event: TokenSourceEvent): string {
  switch (event.type) {
    case 'token_fetched':
      return `token fetched (scope ${event.scope ?? '-'}, expires in ${event.expiresIn} s, ${event.attempts} attempt(s))`
    case 'retry_scheduled':
      return `token request failed (${event.error.message}); retrying in ${event.delay} ms`
    case 'refresh_failed':
      return `token refresh failed: ${event.error.name} ${event.error.message}`
    case 'token_rejected':
      return `API refused the token (invalid_token); fetching a new one`
    case 'cache_failed':
      return `shared token cache failed (${event.operation}: ${event.error.message}); trying it again in ${event.retryIn} ms`
  }
}
