import type { FetchLike } from '@oidckit/core'

/** A stream the CLI writes to: `process.stdout`, or a test's collector. */
export interface Output {
  write(chunk: string): unknown
  isTTY?: boolean | undefined
}

/** Everything the CLI touches outside itself, injectable so tests run it in-process. */
export interface CliIo {
  stdout: Output
  stderr: Output
  env: Record<string, string | undefined>
  platform: NodeJS.Platform
  fetch?: FetchLike | undefined
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: (() => number) | undefined
  /** Fires on Ctrl-C. */
  signal?: AbortSignal | undefined
  /** Opens a URL in a browser; default spawns `xdg-open` / `open` / `start`. */
  openBrowser?: ((url: string) => void) | undefined
}

/** What every command gets: where it writes, which login, and whether to print JSON. */
export interface CommandContext {
  io: CliIo
  issuer: string
  clientId: string
  scope: string
  json: boolean
}
