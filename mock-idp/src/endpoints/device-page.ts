import { hashedKey } from '../internal/bounded-map.js'
import { issuerPath, type IdpContext } from '../internal/context.js'
import { CSRF_COOKIE, readCookie } from '../internal/cookies.js'
import { checkCsrf, csrfToken } from '../internal/csrf.js'
import { parseSearchParams, readBodyParams, type Params } from '../internal/params.js'
import { ProtocolError } from '../internal/protocol-error.js'
import type { RequestBody } from '../internal/request-body.js'
import { formatUserCode } from '../internal/random.js'
import { renderDeviceConfirmPage, renderUserCodePage } from '../pages/device.js'
import { renderErrorPage, renderPage } from '../pages/layout.js'
import { renderLoginPage } from '../pages/login.js'
import { lockedMessage } from '../users.js'
import { currentSession, startSession } from '../sessions.js'

/** RFC 8628 §5.1: about 5 wrong codes per code lifetime keeps a guess near 2^-32. */
export const MAX_USER_CODE_FAILURES = 5

/**
 * Wrong codes from all browsers together per code lifetime: a fresh (or forged) CSRF cookie
 * starts a new per-browser count, so without this cap guesses would be unlimited (AS-12).
 */
export const MAX_USER_CODE_FAILURES_TOTAL = 50

/**
 * The device verification page (RFC 8628 §3.3): enter the code, sign in if needed, then allow
 * or deny. Plain HTML forms with a CSRF token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
 */
export async function devicePage(
  ctx: IdpContext,
  request: Request,
  url: URL,
  body: RequestBody,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') {
    return renderErrorPage('The device page takes GET or POST.', 405, { allow: 'GET, POST' })
  }
  let params: Params
  try {
    params =
      request.method === 'GET'
        ? parseSearchParams(url.searchParams)
        : await readBodyParams(body, { json: false })
  } catch (err) {
    if (err instanceof ProtocolError) return renderErrorPage(err.message, err.status)
    throw err
  }
  const action = `${issuerPath(ctx)}/device`
  const csrf = csrfToken(ctx, request)
  const headers: Record<string, string> = csrf.setCookie ? { 'set-cookie': csrf.setCookie } : {}
  const userCode = params.get('user_code')

  if (request.method === 'POST') {
    if (!checkCsrf(request, params.get('csrf_token'))) {
      return renderErrorPage(
        'The form could not be verified (CSRF check failed). Reload the page.',
        403,
      )
    }
    const step = params.get('action')
    if (step === 'code' || step === 'login' || step === 'approve' || step === 'deny') {
      const browser = await browserKey(request)
      const limited = tooManyCodes(ctx, browser, headers)
      if (limited) return limited
      if (!userCode || !ctx.store.findPendingDevice(userCode))
        return wrongCode(ctx, browser, action, csrf.token, headers, userCode)
      const record = ctx.store.findPendingDevice(userCode)!
      const code = formatUserCode(record.userCode)
      if (step === 'login') {
        const { user, retryAfter } = await ctx.users.checkPassword(
          params.get('username'),
          params.get('password'),
        )
        if (!user) {
          return renderLoginPage({
            action,
            clientName: ctx.clients.get(record.clientId)?.name ?? record.clientId,
            csrfToken: csrf.token,
            fields: { action: 'login', user_code: code },
            loginHint: params.get('username'),
            error: retryAfter > 0 ? lockedMessage(retryAfter) : 'Wrong username or password.',
            users: ctx.users.values(),
            status: retryAfter > 0 ? 429 : 401,
            headers: retryAfter > 0 ? { ...headers, 'retry-after': String(retryAfter) } : headers,
          })
        }
        const started = startSession(ctx, user)
        // S-3: answer the credential POST with 303.
        return new Response(null, {
          status: 303,
          headers: {
            location: `${action}?user_code=${code}`,
            'set-cookie': started.cookie,
            'cache-control': 'no-store',
          },
        })
      }
      const session = currentSession(ctx, request)
      const user = session ? ctx.users.bySub(session.session.sub) : undefined
      if ((step === 'approve' || step === 'deny') && user) {
        if (step === 'approve') ctx.store.approveDevice(code, user.sub, session!.session.authTime)
        else ctx.store.denyDevice(code)
        const done =
          step === 'approve'
            ? 'Device connected. You can return to it now.'
            : 'Request denied. The device will not be signed in.'
        return renderPage(
          'Done',
          `<h1>${step === 'approve' ? 'All set' : 'Denied'}</h1><p>${done}</p>`,
          200,
          headers,
        )
      }
      return new Response(null, {
        status: 303,
        headers: { location: `${action}?user_code=${code}`, 'cache-control': 'no-store' },
      })
    }
    return renderErrorPage('Unknown form action.')
  }

  if (userCode === undefined) return renderUserCodePage({ action, csrfToken: csrf.token, headers })
  const browser = await browserKey(request)
  const limited = tooManyCodes(ctx, browser, headers)
  if (limited) return limited
  const record = ctx.store.findPendingDevice(userCode)
  if (!record) return wrongCode(ctx, browser, action, csrf.token, headers, userCode)
  const code = formatUserCode(record.userCode)
  const client = ctx.clients.get(record.clientId)
  const session = currentSession(ctx, request)
  const user = session ? ctx.users.bySub(session.session.sub) : undefined
  if (!user) {
    return renderLoginPage({
      action,
      clientName: client?.name ?? record.clientId,
      csrfToken: csrf.token,
      fields: { action: 'login', user_code: code },
      users: ctx.users.values(),
      headers,
    })
  }
  return renderDeviceConfirmPage({
    action,
    csrfToken: csrf.token,
    userCode: code,
    clientName: client?.name ?? record.clientId,
    scope: record.scope,
    username: user.username,
    headers,
  })
}

/**
 * The browser's key for counting wrong codes: a hash of its CSRF cookie. A request without one
 * has no browser to count against (a fresh cookie is one request away); the count across all
 * browsers still holds it.
 */
async function browserKey(request: Request): Promise<string | undefined> {
  const cookie = readCookie(request, CSRF_COOKIE)
  return cookie ? hashedKey('browser:', cookie) : undefined
}

/**
 * AS-12: after {@link MAX_USER_CODE_FAILURES} wrong codes from this browser, or
 * {@link MAX_USER_CODE_FAILURES_TOTAL} from all browsers, in a code lifetime, every code is
 * refused until that window ends, the right one included: answering a right code would leave
 * the guessing open.
 */
function tooManyCodes(
  ctx: IdpContext,
  browser: string | undefined,
  headers: Record<string, string>,
): Response | undefined {
  const now = ctx.clock.now()
  const { userCodeFailures, allUserCodeFailures } = ctx.store
  const retry = Math.max(
    browser ? userCodeFailures.retryAfter(browser, MAX_USER_CODE_FAILURES, now) : 0,
    allUserCodeFailures.retryAfter('all', MAX_USER_CODE_FAILURES_TOTAL, now),
  )
  if (retry === 0) return undefined
  const minutes = Math.ceil(retry / 60)
  return renderErrorPage(
    `Too many wrong codes. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    429,
    { ...headers, 'retry-after': String(retry) },
  )
}

function wrongCode(
  ctx: IdpContext,
  browser: string | undefined,
  action: string,
  token: string,
  headers: Record<string, string>,
  userCode: string | undefined,
): Response {
  // AS-12: count wrong codes per browser and across all browsers, since a client can present
  // a new cookie with every guess.
  const now = ctx.clock.now()
  const window = ctx.config.deviceCodeTtl
  if (browser) ctx.store.userCodeFailures.fail(browser, window, now)
  ctx.store.allUserCodeFailures.fail('all', window, now)
  return renderUserCodePage({
    action,
    csrfToken: token,
    userCode,
    error: 'That code is unknown or has expired.',
    status: 400,
    headers,
  })
}
