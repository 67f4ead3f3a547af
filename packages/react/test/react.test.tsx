import { AuthProvider, RequireAuth, useAuth } from '@oidckit/react'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, expect, test, vi } from 'vitest'
import { browserAuth, callbackUrl, fakeLocation, memory, newIdp } from './harness'

afterEach(cleanup)

function Profile() {
  const { isLoading, isAuthenticated, user, error, login, logout } = useAuth<{ name?: string }>()
  if (isLoading) return <p>Loading</p>
  if (error) return <p role="alert">{error.message}</p>
  return isAuthenticated ? (
    <button onClick={() => void logout({ localOnly: true })}>Log out {user?.name}</button>
  ) : (
    <button onClick={() => void login({ returnTo: '/inbox' })}>Log in</button>
  )
}

test('useAuth outside AuthProvider throws an error that says what to do', () => {
  vi.spyOn(console, 'error').mockImplementation(() => {})
  expect(() => render(<Profile />)).toThrow(/must be used inside <AuthProvider>/)
})

test('completes the redirect login once under StrictMode and shows the user', async () => {
  const env = newIdp()
  const transactions = memory()
  const callback = await callbackUrl(env, transactions)
  const auth = browserAuth(env, fakeLocation(callback), transactions)
  const onRedirectCallback = vi.fn()
  render(
    <StrictMode>
      <AuthProvider auth={auth} onRedirectCallback={onRedirectCallback}>
        <Profile />
      </AuthProvider>
    </StrictMode>,
  )
  expect(screen.getByText('Loading')).toBeTruthy()
  await screen.findByText('Log out Alice Liddell')
  expect(env.grants.filter((g) => g === 'authorization_code')).toHaveLength(1)
  expect(onRedirectCallback).toHaveBeenCalledTimes(1)
  expect(onRedirectCallback).toHaveBeenCalledWith('/inbox')
  auth.destroy()
})

test('login and logout from the hook update every consumer', async () => {
  const env = newIdp()
  const transactions = memory()
  const callback = await callbackUrl(env, transactions)
  const location = fakeLocation(callback)
  const auth = browserAuth(env, location, transactions)
  render(
    <AuthProvider auth={auth} onRedirectCallback={() => {}}>
      <Profile />
      <RequireAuth fallback={<p>Members only</p>}>
        <p>Inbox</p>
      </RequireAuth>
    </AuthProvider>,
  )
  await screen.findByText('Inbox')
  await act(async () => screen.getByText(/Log out/).click())
  await screen.findByText('Members only')
  await act(async () => screen.getByText('Log in').click())
  await waitFor(() =>
    expect(location.assigned.at(-1)).toMatch(/^https:\/\/idp\.test\/oauth\/authorize/),
  )
  auth.destroy()
})

test('RequireAuth shows the fallback when signed out', () => {
  const env = newIdp()
  const auth = browserAuth(env)
  render(
    <AuthProvider auth={auth}>
      <RequireAuth fallback={<p>Please log in</p>}>
        <p>Secret</p>
      </RequireAuth>
    </AuthProvider>,
  )
  expect(screen.getByText('Please log in')).toBeTruthy()
  expect(screen.queryByText('Secret')).toBeNull()
  auth.destroy()
})

test('C-1: a tampered callback shows the typed error instead of signing in', async () => {
  const env = newIdp()
  const transactions = memory()
  const callback = new URL(await callbackUrl(env, transactions))
  callback.searchParams.set('state', 'tampered')
  const auth = browserAuth(env, fakeLocation(callback.href), transactions)
  render(
    <AuthProvider auth={auth}>
      <Profile />
    </AuthProvider>,
  )
  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toMatch(/state is unknown or was already used/)
  expect(env.grants).toHaveLength(0)
  auth.destroy()
})

test('getAccessToken from the hook returns a token the provider accepts', async () => {
  const env = newIdp()
  const transactions = memory()
  const callback = await callbackUrl(env, transactions)
  const auth = browserAuth(env, fakeLocation(callback), transactions)
  let getAccessToken: (() => Promise<string>) | undefined
  function Grab() {
    const result = useAuth()
    getAccessToken = result.getAccessToken
    return result.isAuthenticated ? <p>ready</p> : null
  }
  render(
    <AuthProvider auth={auth} onRedirectCallback={() => {}}>
      <Grab />
    </AuthProvider>,
  )
  await screen.findByText('ready')
  const token = await getAccessToken!()
  const res = await env.idp.fetch(
    new Request('https://idp.test/oauth/userinfo', {
      headers: { authorization: `Bearer ${token}` },
    }),
  )
  expect(res.status).toBe(200)
  auth.destroy()
})
