// How `pnpm start` reads its ports and mock-idp's issuer from the environment.
import { describe, expect, test } from 'vitest'
import { resolveSettings, SettingsError } from '../start/settings.mjs'

describe('pnpm start settings', () => {
  test('defaults: mock-idp on 9400 with issuer http://localhost:9400, the apps on their ports', () => {
    const { idp, byName } = resolveSettings({})
    expect(idp).toEqual({ port: 9400, host: 'localhost', issuer: 'http://localhost:9400' })
    expect(byName['web-server'].origin).toBe('http://localhost:3000')
    expect(byName['express-api'].origin).toBe('http://localhost:4000')
    expect(byName['spa-react'].origin).toBe('http://localhost:5173')
  })

  test('MOCK_IDP_PORT alone moves the issuer with it', () => {
    expect(resolveSettings({ MOCK_IDP_PORT: '9401' }).idp).toEqual({
      port: 9401,
      host: 'localhost',
      issuer: 'http://localhost:9401',
    })
  })

  test('MOCK_IDP_ISSUER alone moves the port with it, path and loopback host kept', () => {
    expect(resolveSettings({ MOCK_IDP_ISSUER: 'http://127.0.0.1:9401/idp/' }).idp).toEqual({
      port: 9401,
      host: '127.0.0.1',
      issuer: 'http://127.0.0.1:9401/idp',
    })
  })

  test('both may be given when they agree, or for an issuer in front of a proxy', () => {
    const same = { MOCK_IDP_PORT: '9401', MOCK_IDP_ISSUER: 'http://localhost:9401' }
    expect(resolveSettings(same).idp.port).toBe(9401)
    const proxied = { MOCK_IDP_PORT: '9401', MOCK_IDP_ISSUER: 'https://idp.example.test' }
    expect(resolveSettings(proxied).idp).toEqual({
      port: 9401,
      host: 'localhost',
      issuer: 'https://idp.example.test',
    })
  })

  test.each([
    [{ MOCK_IDP_PORT: '9401', MOCK_IDP_ISSUER: 'http://localhost:9402' }, /disagree/],
    [{ MOCK_IDP_ISSUER: 'https://idp.example.test' }, /set MOCK_IDP_PORT/],
    [{ MOCK_IDP_ISSUER: 'localhost:9400' }, /plain HTTP|must be a URL/],
    [{ MOCK_IDP_ISSUER: 'http://localhost:9400/?x=1' }, /no query/],
    [{ MOCK_IDP_PORT: '70000' }, /MOCK_IDP_PORT must be a port number/],
    [{ WEB_SERVER_PORT: 'abc' }, /WEB_SERVER_PORT must be a port number/],
    [{ WEB_SERVER_PORT: '9400' }, /WEB_SERVER_PORT and MOCK_IDP_PORT are both 9400/],
  ])('refuses %j', (env, message) => {
    expect(() => resolveSettings(env)).toThrow(SettingsError)
    expect(() => resolveSettings(env)).toThrow(message)
  })
})
