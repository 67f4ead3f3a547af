import { useAuth } from '@oidckit/react'
import { useState } from 'react'

interface Claims {
  name?: string
  given_name?: string
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

  const name = user?.name ?? user?.sub
  return (
    <>
      <header className="bar">
        <a className="brand" href="/">
          <span className="logo" aria-hidden="true" />
          oidckit
        </a>
        <span className="tag">React SPA example</span>
      </header>
      <main className="card">
        {error && (
          <p role="alert" className="alert">
            {error.name}: {error.message}
          </p>
        )}
        {isLoading ? (
          <p className="muted">Signing in…</p>
        ) : isAuthenticated ? (
          <>
            <span className="status on">Signed in</span>
            <div className="user">
              <span className="avatar" aria-hidden="true">
                {(name ?? '?').charAt(0).toUpperCase()}
              </span>
              <div>
                <h1>Hello, {user?.given_name ?? name}</h1>
                <p className="muted">
                  Signed in as <strong data-testid="user-name">{name}</strong>
                  {user?.email ? ` (${user.email})` : ''}
                </p>
              </div>
            </div>
            <div className="actions">
              <button onClick={() => void callApi()}>Call API</button>
              <button className="secondary" onClick={() => void logout()}>
                Log out
              </button>
            </div>
            {result && <pre data-testid="api-result">{result}</pre>}
          </>
        ) : (
          <>
            <span className="status">Signed out</span>
            <h1>oidckit SPA example</h1>
            <p className="muted">
              You are signed out. Log in with the provider, then call the example API with your
              access token.
            </p>
            <div className="actions">
              <button onClick={() => void login({ returnTo: '/' })}>Log in</button>
            </div>
          </>
        )}
      </main>
      <footer className="foot">
        React with <code>@oidckit/react</code>: tokens stay in this tab; the API gets a bearer
        token.
      </footer>
    </>
  )
}
