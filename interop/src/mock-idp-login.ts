import type { UserAgent } from './user-agent.js'

/**
 * Signs in on mock-idp's login form (`username`, `password`, hidden CSRF fields) from the
 * authorization URL, and returns the redirect back to the app.
 */
export async function signInAtMockIdp(
  agent: UserAgent,
  authorizationUrl: string | URL,
  options: { username: string; password: string; redirectUri: string },
): Promise<URL> {
  const atApp = (url: URL) => url.href.startsWith(options.redirectUri)
  const first = await agent.follow(authorizationUrl, {}, atApp)
  if (atApp(first.url)) return first.url
  const html = await first.response.text()
  if (first.response.status !== 200) {
    throw new Error(`${first.url.href} answered ${first.response.status}: ${html}`)
  }
  const done = await agent.submit(
    { html, url: first.url },
    { username: options.username, password: options.password },
    (form) => form.fields.has('username'),
    atApp,
  )
  if (!atApp(done.url)) throw new Error(`the login did not return to the app: ${done.url.href}`)
  return done.url
}

/** Approves (or denies) a device login on mock-idp's `/device` pages, signing in on the way. */
export async function decideDeviceAtMockIdp(
  agent: UserAgent,
  verificationUri: string,
  userCode: string,
  options: { username: string; password: string; action: 'approve' | 'deny' },
): Promise<string> {
  let page = await agent.follow(verificationUri)
  const steps: Record<string, string>[] = [
    { user_code: userCode },
    { username: options.username, password: options.password },
    { action: options.action },
  ]
  for (const fields of steps) {
    const html = await page.response.text()
    if (page.response.status !== 200) throw new Error(`${page.url.href}: ${page.response.status}`)
    page = await agent.submit({ html, url: page.url }, fields)
  }
  return page.response.text()
}
