import { renderUnicodeCompact } from 'uqr'
import { DiscoveryError, NetworkError, OAuthError, OidcKitError } from '@oidckit/core'
import type { DeviceCode } from '../device-login.js'
import type { CliIo, Output } from './io.js'
import { INSECURE_DIR_CODE } from '../internal/private-dir.js'

// Everything the CLI shows a person lives here; the commands only decide what happened.

/** Server-supplied text is shown as text: no escape sequences, no line breaks (RP-11). */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
}

/** Whether `stream` is a terminal that renders OSC 8 hyperlinks. */
export function supportsHyperlinks(stream: Output, env: CliIo['env']): boolean {
  if (env.FORCE_HYPERLINK !== undefined) return env.FORCE_HYPERLINK !== '0'
  if (!stream.isTTY || env.CI || env.TERM === 'dumb') return false
  if (env.WT_SESSION || env.KITTY_WINDOW_ID || env.DOMTERM) return true
  const program = env.TERM_PROGRAM ?? ''
  if (['iTerm.app', 'WezTerm', 'vscode', 'Hyper', 'ghostty', 'tabby'].includes(program)) return true
  return Number(env.VTE_VERSION ?? 0) >= 5000
}

function link(url: string, io: CliIo): string {
  return supportsHyperlinks(io.stdout, io.env)
    ? `\u001b]8;;${url}\u001b\\${url}\u001b]8;;\u001b\\`
    : url
}

/** RP-19: the URL, the code, the advice to compare them, and a QR code; never the device_code. */
export function showCode(io: CliIo, code: DeviceCode, json: boolean, opening: boolean): void {
  const userCode = clean(code.userCode)
  const uri = clean(code.verificationUri)
  const complete = code.verificationUriComplete && clean(code.verificationUriComplete)
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ userCode, verificationUri: uri, verificationUriComplete: complete, expiresAt: code.expiresAt })}\n`,
    )
    return
  }
  const lines = [
    'To sign in, open this page in a browser:',
    '',
    `  ${link(uri, io)}`,
    '',
    `and enter the code:  ${userCode}`,
    '',
    'Check that the page shows this same code. If you did not just run `oidckit login`',
    'yourself, do not approve it: someone may be trying to sign in as you.',
  ]
  if (complete) {
    lines.push(
      '',
      'Or scan this code with your phone:',
      '',
      renderUnicodeCompact(complete, { border: 1 }),
    )
  }
  if (opening) lines.push('', 'Opening your browser…')
  io.stdout.write(`${lines.join('\n')}\n`)
}

/** A spinner with the time left, on a terminal only; returns the function that clears it. */
export function showWaiting(io: CliIo, expiresAt: number): () => void {
  if (!io.stderr.isTTY) return () => undefined
  const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'
  const clock = io.clock ?? (() => Date.now())
  let frame = 0
  const draw = () => {
    const left = Math.max(0, Math.round(expiresAt - clock() / 1000))
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`
    io.stderr.write(
      `\r${frames[frame++ % frames.length]} Waiting for approval… ${time} left \u001b[K`,
    )
  }
  draw()
  const timer = setInterval(draw, 250)
  return () => {
    clearInterval(timer)
    io.stderr.write('\r\u001b[K')
  }
}

/** The login result: who signed in where. */
export function showSignedIn(
  io: CliIo,
  result: {
    issuer: string
    clientId: string
    scope: string
    subject?: string | undefined
    name?: string | undefined
    expiresAt?: number | undefined
  },
  json: boolean,
): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(result)}\n`)
    return
  }
  const who = result.name
    ? `${clean(result.name)} (${clean(result.subject ?? '')})`
    : clean(result.subject ?? 'unknown user')
  io.stdout.write(
    `Signed in to ${result.issuer} as ${who}.\nRun \`oidckit token\` to get an access token.\n`,
  )
}

/** Claims, as JSON or one `name: value` line each. */
export function showClaims(io: CliIo, claims: Record<string, unknown>, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(claims)}\n`)
    return
  }
  const width = Math.max(...Object.keys(claims).map((k) => k.length))
  for (const [name, value] of Object.entries(claims)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    io.stdout.write(`${clean(name).padEnd(width)}  ${clean(text)}\n`)
  }
}

export function showMessage(io: CliIo, message: string, json: boolean, data?: object): void {
  io.stdout.write(json ? `${JSON.stringify({ message, ...data })}\n` : `${message}\n`)
}

export function showWarning(io: CliIo, message: string): void {
  io.stderr.write(`oidckit: warning: ${clean(message)}\n`)
}

/** The one line a failure prints, naming the next step. */
export function describeError(err: unknown, issuer: string): string {
  if (err instanceof OAuthError) {
    switch (err.error) {
      case 'login_required':
      case 'slow_down':
        return err.message
      case 'access_denied':
        return 'The sign-in was denied. Run `oidckit login` to try again.'
      case 'expired_token':
        return 'The code expired before it was approved. Run `oidckit login` to get a new one.'
      case 'invalid_client':
      case 'unauthorized_client':
      case 'invalid_scope':
        return `${issuer} refused the request (${err.error}${err.errorDescription ? `: ${err.errorDescription}` : ''}). Check --client-id and --scope.`
      default:
        return `${issuer} answered ${err.error}${err.errorDescription ? `: ${err.errorDescription}` : ''}. Run \`oidckit login\` to sign in again.`
    }
  }
  if (err instanceof NetworkError) {
    if (err.code === 'ERR_CONNECTION_FAILED' || err.code === 'ERR_TIMEOUT') {
      return `Could not reach ${issuer} (${err.code}). Check --issuer, or start the provider (\`pnpm start\` runs mock-idp).`
    }
    return `${issuer} gave an unusable answer: ${err.message} Try again, or check --issuer.`
  }
  if (err instanceof DiscoveryError) {
    return `${issuer} is not a usable OpenID provider: ${err.message} Check --issuer.`
  }
  if (err instanceof OidcKitError) {
    return `${err.message} Run \`oidckit login\` to sign in again.`
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  // The message names the folder and the fix (chmod 700, or OIDCKIT_CONFIG_DIR).
  if (code === INSECURE_DIR_CODE) return (err as Error).message
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'EROFS') {
    return `Could not write the credentials (${(err as Error).message}). Free some space or fix the permissions, or set OIDCKIT_CONFIG_DIR.`
  }
  return `Unexpected error: ${err instanceof Error ? err.message : String(err)}`
}

/** Writes a failure to stderr, as text or as `{ "error": … }` JSON. */
export function showError(io: CliIo, message: string, json: boolean, err?: unknown): void {
  const line = clean(message)
  if (!json) {
    io.stderr.write(`oidckit: ${line}\n`)
    return
  }
  const detail = err as { code?: unknown; error?: unknown } | undefined
  io.stderr.write(
    `${JSON.stringify({ error: { message: line, code: detail?.code, error: detail?.error } })}\n`,
  )
}
