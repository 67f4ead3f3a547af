import { AuthProvider } from '@oidckit/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.js'
import { config } from './config.js'
import '../../shared/example.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider
      issuer={config.issuer}
      clientId={config.clientId}
      redirectUri={config.redirectUri}
      postLogoutRedirectUri={config.postLogoutRedirectUri}
      scope={config.scope}
      // Opt-in: survive a reload in this tab (tokens are in memory by default).
      storage="session"
    >
      <App apiUrl={config.apiUrl} />
    </AuthProvider>
  </StrictMode>,
)
