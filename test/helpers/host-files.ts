/** Reads what a release left on a host's deploy dir (tests run on the same machine as the sshd hosts). */
import { existsSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
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
