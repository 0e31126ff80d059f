/** Where the embedded database lives when no DATABASE_URL is given. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * `$XDG_DATA_HOME/yardmaster/pglite`, else `~/.local/share/yardmaster/pglite` (the XDG default), so data survives
 * restarts and upgrades and never lands inside the checkout or the image's read-only app directory.
 */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg?.startsWith('/') ? xdg : join(home, '.local', 'share');
  return join(base, 'yardmaster', 'pglite');
}
