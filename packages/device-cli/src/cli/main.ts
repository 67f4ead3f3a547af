import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { resolveSettings } from '../internal/settings.js'
import type { CliIo, CommandContext } from './io.js'
import { loginCommand } from './login-command.js'
import { logoutCommand } from './logout-command.js'
import { describeError, showError } from './presenter.js'
import { tokenCommand } from './token-command.js'
import { whoamiCommand } from './whoami-command.js'

const common = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options']

const commonHelp = `Options:
  --issuer URL        the OpenID provider (env OIDCKIT_ISSUER; default http://localhost:9400)
  --client-id ID      a public client with the device grant (env OIDCKIT_CLIENT_ID; default cli)
  --scope SCOPE       (env OIDCKIT_SCOPE; default "openid profile email offline_access")
  --json              machine-readable output
  -h, --help          this help

Credentials are kept in $OIDCKIT_CONFIG_DIR, else $XDG_CONFIG_HOME/oidckit, else the
platform's config folder, in credentials.json (mode 0600).`

const commands = {
  login: {
    summary: 'sign in with a code shown here and approved in a browser',
    options: { ...common, 'no-browser': { type: 'boolean' } },
    extraHelp:
      '  --no-browser        do not open a browser (also off when CI is set or there is no display)\n',
    run: (ctx: CommandContext, values: Record<string, unknown>) =>
      loginCommand({ ...ctx, noBrowser: values['no-browser'] === true }),
  },
  token: {
    summary: 'print a fresh access token (refreshed when needed), nothing else',
    options: common,
    extraHelp: '',
    run: (ctx: CommandContext) => tokenCommand(ctx),
  },
  whoami: {
    summary: 'show the signed-in user’s claims (UserInfo, else the ID token)',
    options: common,
    extraHelp: '',
    run: (ctx: CommandContext) => whoamiCommand(ctx),
  },
  logout: {
    summary: 'revoke the refresh token and forget the stored login',
    options: common,
    extraHelp: '',
    run: (ctx: CommandContext) => logoutCommand(ctx),
  },
} as const

type CommandName = keyof typeof commands

function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(commands, name)
}

function usage(): string {
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`)
    .join('\n')
  return `Usage: oidckit <command> [options]

Commands:
${list}

Run \`oidckit <command> --help\` for a command's options.
`
}

function commandHelp(name: CommandName): string {
  const c = commands[name]
  return `Usage: oidckit ${name} [options]

${c.summary[0]?.toUpperCase()}${c.summary.slice(1)}.

${commonHelp.replace('  -h, --help', `${c.extraHelp}  -h, --help`)}
`
}

/**
 * Runs the `oidckit` CLI and returns its exit code: 0 done, 1 a failure (one line on stderr
 * naming the next step), 2 a usage error, 130 cancelled (Ctrl-C). It never exits the process.
 */
export async function main(argv: readonly string[], partial: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    env: partial.env ?? process.env,
    platform: partial.platform ?? process.platform,
    fetch: partial.fetch,
    clock: partial.clock,
    signal: partial.signal,
    openBrowser: partial.openBrowser,
  }
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined
    if (isCommand(topic)) {
      io.stdout.write(commandHelp(topic))
      return 0
    }
    ;(name === undefined ? io.stderr : io.stdout).write(usage())
    return name === undefined ? 2 : 0
  }
  if (!isCommand(name)) {
    io.stderr.write(
      `oidckit: unknown command "${name}". Run \`oidckit --help\` for the commands.\n`,
    )
    return 2
  }
  let values: Record<string, unknown>
  try {
    ;({ values } = parseArgs({
      args: [...rest],
      options: commands[name].options,
      strict: true,
      allowPositionals: false,
    }))
  } catch (err) {
    io.stderr.write(`oidckit: ${(err as Error).message} Run \`oidckit ${name} --help\`.\n`)
    return 2
  }
  if (values.help) {
    io.stdout.write(commandHelp(name))
    return 0
  }
  const json = values.json === true
  const settings = resolveSettings(
    {
      issuer: values.issuer as string | undefined,
      clientId: values['client-id'] as string | undefined,
      scope: values.scope as string | undefined,
    },
    io.env,
  )
  try {
    await commands[name].run({ io, json, ...settings }, values)
    return 0
  } catch (err) {
    if (io.signal?.aborted) {
      io.stderr.write('\noidckit: cancelled.\n')
      return 130
    }
    const code = (err as { code?: unknown }).code
    if (
      err instanceof TypeError &&
      typeof code === 'string' &&
      code.startsWith('ERR_INVALID_ARG')
    ) {
      showError(io, `${err.message} Run \`oidckit ${name} --help\`.`, json, err)
      return 2
    }
    showError(io, describeError(err, settings.issuer), json, err)
    return 1
  }
}
