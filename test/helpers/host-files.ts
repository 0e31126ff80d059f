/** Reads what a release left on a host's deploy dir (tests run on the same machine as the sshd hosts). */
import { existsSync } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export async function liveTarget(deployTo: string): Promise<string | null> {
  try {
    return await readlink(join(deployTo, 'current'));
  } catch {
    return null;
  }
}

export async function releasesOnDisk(deployTo: string): Promise<string[]> {
  try {
    return (await readdir(join(deployTo, 'releases'))).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
}

export async function logEntries(deployTo: string): Promise<Record<string, unknown>[]> {
  try {
    const text = await readFile(join(deployTo, '.yardmaster', 'releases.log'), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

export function isLocked(deployTo: string): boolean {
  return existsSync(join(deployTo, '.yardmaster', 'lock'));
}

/**
 * Everything about a deploy dir that a write would change, byte for byte: every entry's path, type, mode, owner, size,
 * modification time, content (files) and target (links). Access times are left out (reading moves them).
 */
export async function snapshotTree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string, rel: string): Promise<void> => {
    const info = await lstat(path);
    const head = `${rel} mode=${info.mode.toString(8)} uid=${String(info.uid)} size=${String(info.size)} mtime=${String(info.mtimeMs)}`;
    if (info.isSymbolicLink()) lines.push(`${head} -> ${await readlink(path)}`);
    else if (info.isFile()) lines.push(`${head} ${(await readFile(path)).toString('base64')}`);
    else if (info.isDirectory()) {
      lines.push(`${head} dir`);
      for (const name of (await readdir(path)).sort()) await walk(join(path, name), `${rel}/${name}`);
    } else lines.push(`${head} other`);
  };
  await walk(root, '.');
  return lines;
}
