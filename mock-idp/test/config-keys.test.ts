import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMockIdp, MockIdpConfigError, type MockIdpConfig } from '@oidckit/mock-idp'
import { expect, test } from 'vitest'
import { main } from '../src/cli.js'

function configError(config: unknown): MockIdpConfigError {
  try {
    createMockIdp(config as MockIdpConfig)
  } catch (err) {
    expect(err).toBeInstanceOf(MockIdpConfigError)
    return err as MockIdpConfigError
  }
  throw new Error('the config was accepted')
}

const spa = {
  clientId: 'spa',
  tokenEndpointAuthMethod: 'none',
  redirectUris: ['http://localhost:5173/callback'],
}

test('a misspelled key in a client is refused, naming the key, the client and the likely key', () => {
  const err = configError({
    clients: [spa, { ...spa, clientId: 'app', redirectUris: undefined, redirectUri: 'x' }],
  })
  expect(err.code).toBe('ERR_INVALID_ARG_VALUE')
  expect(err.key).toBe('redirectUri')
  expect(err.where).toBe('client app (clients[1])')
  expect(err.suggestion).toBe('redirectUris')
  expect(err.message).toBe(
    'unknown key "redirectUri" in client app (clients[1]); did you mean "redirectUris"?',
  )
  expect(configError({ clients: [{ ...spa, grantType: ['authorization_code'] }] })).toMatchObject({
    key: 'grantType',
    where: 'client spa (clients[0])',
    suggestion: 'grantTypes',
  })
})

test('a misspelled key at the top level or in a user is refused the same way', () => {
  expect(configError({ accessTokenTTL: 60 })).toMatchObject({
    key: 'accessTokenTTL',
    where: 'the config',
    suggestion: 'accessTokenTtl',
    message: 'unknown key "accessTokenTTL" in the config; did you mean "accessTokenTtl"?',
  })
  expect(
    configError({ users: [{ username: 'carol', pasword: 'x', password: 'y' }] }),
  ).toMatchObject({ key: 'pasword', where: 'user carol (users[0])', suggestion: 'password' })
  // A key with no near neighbour lists the known keys instead.
  const far = configError({ clients: [{ ...spa, colour: 'blue' }] })
  expect(far.suggestion).toBeUndefined()
  expect(far.message).toMatch(
    /^unknown key "colour" in client spa \(clients\[0\]\); known keys: clientId, /,
  )
  // Until the client_id is known, the entry is named by its place.
  expect(configError({ clients: [{ clientID: 'spa' }] })).toMatchObject({
    where: 'clients[0]',
    suggestion: 'clientId',
  })
})

test('addUser and updateUser refuse misspelled keys too', () => {
  const idp = createMockIdp()
  expect(() => idp.addUser({ username: 'carol', password: 'x', claim: {} } as never)).toThrow(
    'unknown key "claim" in user carol; did you mean "claims"?',
  )
  expect(() => idp.updateUser('alice', { passwd: 'x' } as never)).toThrow(
    /unknown key "passwd" in the update of user alice; did you mean "password"\?/,
  )
})

test('the CLI refuses a config file with a misspelled key, naming the key and the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mock-idp-keys-'))
  const file = join(dir, 'config.json')
  await writeFile(file, JSON.stringify({ clients: [{ ...spa, redirectUri: 'x' }] }))
  const io = { env: {}, out: () => undefined, err: () => undefined }
  await expect(main(['--port', '0', '--host', '127.0.0.1', '--config', file], io)).rejects.toThrow(
    `invalid config: unknown key "redirectUri" in client spa (clients[0]); did you mean "redirectUris"? (in ${file})`,
  )
  await writeFile(file, JSON.stringify({ sesionTtl: 60 }))
  await expect(main(['--port', '0', '--host', '127.0.0.1', '--config', file], io)).rejects.toThrow(
    'did you mean "sessionTtl"?',
  )
})
