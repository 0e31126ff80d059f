/**
 * Where release journals wait to be imported: one directory per database under the CLI's cache dir
 * (`<cache>/journal/<16 hex digits of the database's sha256>`), so a journal reaches the database its user meant:
 * the PostgreSQL of DATABASE_URL, or an embedded data directory.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errnoCode } from '../lib/trust-boundaries.ts';

export type JournalTarget = { kind: 'url'; url: string } | { kind: 'dir'; dataDir: string };

export const JOURNAL_SUFFIX = '.jsonl';

/** The spool directory of `target` under `cacheDir`. */
export function journalDir(cacheDir: string, target: JournalTarget): string {
  const name = target.kind === 'url' ? `url:${target.url}` : `dir:${resolve(target.dataDir)}`;
  return join(cacheDir, 'journal', createHash('sha256').update(name).digest('hex').slice(0, 16));
}

/** The journals waiting in `dir`, oldest name first (release ids start with their time); none when it is missing. */
export async function listJournals(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names
      .filter((name) => name.endsWith(JOURNAL_SUFFIX))
      .toSorted()
      .map((name) => join(dir, name));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}
