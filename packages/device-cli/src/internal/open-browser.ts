import { spawn } from 'node:child_process'

/**
 * Opens `url` in the default browser (`open`, `xdg-open`, `start`), detached; every failure is
 * ignored, since the URL is also shown to the user.
 */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  // Only web URLs: a provider must not make us launch `file:` or custom-scheme handlers.
  if (!/^https?:\/\//i.test(url)) return
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/[&^|<>"]/g, (c) => `^${c}`)]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // ignored: the URL is on screen
  }
}
