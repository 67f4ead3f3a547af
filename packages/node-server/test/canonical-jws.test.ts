import fc from 'fast-check'
import { expect, test } from 'vitest'
import { createTokenVerifier } from '@oidckit/node-server'
import { nonCanonicalVariants } from '../../core/test/jws-variants'
import { AUDIENCE, createTestProvider, ISSUER } from './support/test-provider.js'

test('RP-14: only the canonical base64url string of a token verifies (no padding, +/, stray bits)', async () => {
  const provider = await createTestProvider()
  for (const cache of [false, true]) {
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: provider.fetch,
      cache,
    })
    const token = await provider.sign()
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { iss: ISSUER } })
    await fc.assert(
      fc.asyncProperty(nonCanonicalVariants(token), async (variant) => {
        await expect(verifier.verify(variant)).rejects.toMatchObject({ code: 'ERR_JWT_INVALID' })
      }),
      { numRuns: 200 },
    )
  }
})
