/** Chooses the release a standalone rollback goes back to. */
import type { ReleaseLogEntry } from './releases-log.ts';

/**
 * The most recent release that succeeded, is still on disk, is not live, and was never rolled back from.
 * Returns null when there is none.
 */
export function previousGoodRelease(
  log: readonly ReleaseLogEntry[],
  onDisk: ReadonlySet<string>,
  live: string | null,
): string | null {
  const abandoned = new Set<string>();
  for (const entry of log) {
    if (entry.result === 'rolled_back') abandoned.add(entry.version);
    if (entry.result === 'rollback' && entry.previous) abandoned.add(entry.previous);
  }
  for (let i = log.length - 1; i >= 0; i--) {
    const entry = log[i];
    if (entry?.result !== 'succeeded') continue;
    if (entry.version === live || abandoned.has(entry.version) || !onDisk.has(entry.version)) continue;
    return entry.version;
  }
  return null;
}
