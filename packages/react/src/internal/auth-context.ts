import type { BrowserAuth } from '@oidckit/browser-pkce'
import { createContext } from 'react'

export const AuthContext = createContext<BrowserAuth | null | undefined>(undefined)
