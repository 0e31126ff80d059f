/** The last release result per app and environment, kept by the CLI so that `retry` knows which hosts failed. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { RetrySource } from '../deploy/index.ts';
import type { ReleaseResult } from '../deploy/types.ts';

/** The CLI's cache dir: YARDMASTER_CACHE_DIR, else $XDG_CACHE_HOME/yardmaster, else ~/.cache/yardmaster. */
export function cacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.YARDMASTER_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'yardmaster');
}

function resultPath(dir: string, app: string, environment: string): string {
  return join(dir, 'results', `${app}--${environment}.json`);
}

const storedSchema = z.object({
  releaseId: z.string(),
  version: z.string(),
  hosts: z.array(
    z.object({
      host: z.string(),
      outcome: z.enum(['released', 'unchanged', 'failed', 'rolled_back', 'aborted', 'untouched']),
    }),
  ),
});

export async function saveResult(dir: string, result: ReleaseResult): Promise<void> {
  await mkdir(join(dir, 'results'), { recursive: true });
  await writeFile(resultPath(dir, result.app, result.environment), `${JSON.stringify(result, null, 2)}\n`);
}

/** The stored result of the last release of an app environment, as much as a retry needs; null when none. */
export async function loadResult(dir: string, app: string, environment: string): Promise<RetrySource | null> {
  try {
    const parsed = storedSchema.safeParse(JSON.parse(await readFile(resultPath(dir, app, environment), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
