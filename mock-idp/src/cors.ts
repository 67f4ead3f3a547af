import type { IdpContext } from './internal/context.js'

/**
 * Whether `origin` may call the CORS-enabled endpoints: it must be a web origin of some client
 * (by default, the origin of one of its redirect URIs).
 */
export function isAllowedOrigin(ctx: IdpContext, origin: string): boolean {
  for (const client of ctx.clients.values()) {
    if (client.webOrigins.includes(origin)) return true
  }
  return false
}

/** Headers of an allowed cross-origin response. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'WWW-Authenticate, Retry-After',
    vary: 'Origin',
  }
}

/** The answer to a CORS preflight (`OPTIONS`). */
export function preflightResponse(ctx: IdpContext, request: Request): Response {
  const origin = request.headers.get('origin')
  if (!origin || !isAllowedOrigin(ctx, origin)) {
    return new Response(null, { status: 204, headers: { vary: 'Origin' } })
  }
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(origin),
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type, DPoP',
      'access-control-max-age': '600',
    },
  })
}
