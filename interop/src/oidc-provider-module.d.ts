// oidc-provider ships no type declarations; this is the part of its API the interop tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  export const errors: { InvalidTarget: new (description?: string) => Error }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    on(event: string, listener: (...args: unknown[]) => void): this
    readonly issuer: string
  }
}
