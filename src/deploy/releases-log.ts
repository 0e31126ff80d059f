/** The JSON-lines release log each host keeps in `.yardmaster/releases.log`. */
import { z } from 'zod';

export const releaseLogResults = ['succeeded', 'failed', 'rolled_back', 'rollback'] as const;

const releaseLogEntrySchema = z.object({
  version: z.string(),
  time: z.string(),
  result: z.enum(releaseLogResults),
  release: z.string(),
  host: z.string(),
  previous: z.string().nullable().optional(),
  work_order: z.string().nullable().optional(),
  actor: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
});

export type ReleaseLogEntry = z.infer<typeof releaseLogEntrySchema>;

/** Parses log lines, skipping any that are not ours (a hand-edited or truncated line must not stop a release). */
export function parseReleaseLog(lines: readonly string[]): ReleaseLogEntry[] {
  const entries: ReleaseLogEntry[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const parsed = releaseLogEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // not JSON: ignored on purpose, see above
    }
  }
  return entries;
}

/** The most recent version that was released successfully, excluding `except` (usually the live one). */
export function lastGoodVersion(entries: readonly ReleaseLogEntry[], except?: string | null): string | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.result === 'succeeded' && entry.version !== except) return entry.version;
  }
  return null;
}

/** One log line, as written by the host scripts. */
export function formatReleaseLogEntry(entry: ReleaseLogEntry): string {
  return JSON.stringify(entry);
}
