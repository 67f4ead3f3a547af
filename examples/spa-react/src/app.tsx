import { useAuth } from '@oidckit/react'
import { useState } from 'react'

interface Claims {
  name?: string
  email?: string
}

/** The page: log in, see who you are, call the API with the access token, log out. */
export function App({ apiUrl }: { apiUrl: string }) {
  const { isLoading, isAuthenticated, user, error, login, logout, getAccessToken } =
    useAuth<Claims>()
  const [result, setResult] = useState<string>()

  async function callApi() {
    try {
      const token = await getAccessToken()
      const response = await fetch(`${apiUrl}/api/data`, {
        headers: { authorization: `Bearer ${token}` },
      })
      setResult(`${response.status} ${JSON.stringify(await response.json(), null, 2)}`)
    } catch (err) {
      setResult(`Failed: ${(err as Error).message}`)
    }
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '3rem auto' }}>
      <h1>oidckit SPA example</h1>
      {error && (
        <p role="alert" style={{ color: '#b00020' }}>
          {error.name}: {error.message}
        </p>
      )}
      {isLoading ? (
        <p>Signing in…</p>
      ) : isAuthenticated ? (
        <>
          <p>
            Signed in as <strong data-testid="user-name">{user?.name ?? user?.sub}</strong>
            {user?.email ? ` (${user.email})` : ''}
          </p>
          <button onClick={() => void callApi()}>Call API</button>{' '}
          <button onClick={() => void logout()}>Log out</button>
          {result && <pre data-testid="api-result">{result}</pre>}
        </>
      ) : (
        <>
          <p>You are signed out.</p>
          <button onClick={() => void login({ returnTo: '/' })}>Log in</button>
        </>
      )}
    </main>
  )
}
