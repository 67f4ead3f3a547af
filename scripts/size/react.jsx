// The same login with @oidckit/react: the provider completes the callback, the hook logs in
// and gets a token.
import { AuthProvider, useAuth } from '@oidckit/react'
import { createRoot } from 'react-dom/client'

function App() {
  const { isLoading, isAuthenticated, login, getAccessToken } = useAuth()
  if (isLoading) return null
  if (!isAuthenticated) return <button onClick={() => login()}>Log in</button>
  return <button onClick={() => getAccessToken().then(console.log)}>Call the API</button>
}

createRoot(document.getElementById('root')).render(
  <AuthProvider
    issuer="http://localhost:9400"
    clientId="spa"
    redirectUri={`${location.origin}/callback`}
  >
    <App />
  </AuthProvider>,
)
