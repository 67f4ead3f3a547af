// @vitest-environment node
import { AuthProvider, RequireAuth, useAuth } from '@oidckit/react'
import { renderToString } from 'react-dom/server'
import { expect, test } from 'vitest'

function Status() {
  const { isLoading } = useAuth()
  return <span>{isLoading ? 'loading' : 'ready'}</span>
}

test('renders on the server without touching browser APIs', () => {
  const html = renderToString(
    <AuthProvider
      issuer="http://localhost:9400"
      clientId="spa"
      redirectUri="http://localhost:5173/callback"
    >
      <Status />
      <RequireAuth fallback={<a href="/login">Log in</a>}>secret</RequireAuth>
    </AuthProvider>,
  )
  expect(html).toContain('loading')
  expect(html).toContain('Log in')
  expect(html).not.toContain('secret')
})
