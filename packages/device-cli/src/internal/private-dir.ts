import { chmod, mkdir, stat } from 'node:fs/promises'

/** The `code` of the error for a credentials folder that others can write to. */
export const INSECURE_DIR_CODE = 'ERR_CONFIG_DIR_INSECURE'

/**
 * Makes sure nobody else can write into the credentials folder, since whoever can replace
 * `credentials.json` chooses the tokens the CLI uses (RP-19). With `create`, a missing folder
 * is made 0700. An existing group- or world-writable folder that this user owns is set to
 * 0700; one it cannot fix (another user's, or a shared sticky folder such as /tmp) is refused
 * with an `Error` whose `code` is `ERR_CONFIG_DIR_INSECURE` and whose message names the fix.
 * Resolves to `false` when the folder does not exist (and was not to be created).
 */
export async function ensurePrivateDir(dir: string, create: boolean): Promise<boolean> {
  if (create) await mkdir(dir, { recursive: true, mode: 0o700 })
  // Windows has no mode bits to check; its per-user folders are private by ACL.
  if (process.platform === 'win32') return true
  let mode: number
  let uid: number
  try {
    ;({ mode, uid } = await stat(dir))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !create) return false
    throw err
  }
  if ((mode & 0o022) === 0) return true
  const who = mode & 0o002 ? 'every user' : 'its group'
  if (mode & 0o1000) {
    // A sticky folder is shared on purpose; making it 0700 would break it for everyone else.
    throw insecure(
      dir,
      `The credentials folder ${dir} is a shared folder writable by ${who}, so oidckit will not keep tokens in it. Set OIDCKIT_CONFIG_DIR to a folder of your own.`,
    )
  }
  if (uid !== process.getuid?.()) {
    throw insecure(
      dir,
      `The credentials folder ${dir} is writable by ${who} and belongs to another user, so oidckit will not keep tokens in it. Have its owner run \`chmod 700 ${shellQuote(dir)}\`, or set OIDCKIT_CONFIG_DIR to a folder of your own.`,
    )
  }
  try {
    await chmod(dir, 0o700)
  } catch (cause) {
    throw insecure(
      dir,
      `The credentials folder ${dir} is writable by ${who} and could not be made private (${(cause as NodeJS.ErrnoException).code ?? 'chmod failed'}). Run \`chmod 700 ${shellQuote(dir)}\`, or set OIDCKIT_CONFIG_DIR to a folder of your own.`,
      cause,
    )
  }
  return true
}

function insecure(dir: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code: INSECURE_DIR_CODE, path: dir })
}

/** `path` as one shell word, so the printed command can be pasted as it is. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`
}
