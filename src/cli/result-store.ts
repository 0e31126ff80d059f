/**
 * The last release result per config file, app and environment, kept by the CLI so that `retry` knows which hosts
 * failed. Keyed by the config too: two configs may name the same app and environment for different hosts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { RetrySource } from '../deploy/index.ts';
import type { ReleaseResult } from '../deploy/types.ts';

/** The CLI's cache dir: YARDMASTER_CACHE_DIR, else $XDG_CACHE_HOME/yardmaster, else ~/.cache/yardmaster. */
export function cacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.YARDMASTER_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'yardmaster');
}

/** Where results of one config's releases are kept: the config file, named by its real path. */
export interface ResultKey {
  /** The cache dir (see cacheDir). */
  dir: string;
  /** The config file as the user named it. */
  configPath: string;
  cwd: string;
}

async function resultPath(key: ResultKey, app: string, environment: string): Promise<string> {
  const absolute = resolve(key.cwd, key.configPath);
  const real = await realpath(absolute).catch(() => absolute);
  const config = createHash('sha256').update(real).digest('hex').slice(0, 16);
  return join(key.dir, 'results', `${app}--${environment}--${config}.json`);
}

const storedSchema = z.object({
  releaseId: z.string(),
  /** Which attempt of the release the result is (a retry counts on; results stored before this field: 1). */
  attempt: z.number().int().min(1).max(1000).default(1),
  version: z.string(),
  hosts: z.array(
    z.object({
      host: z.string(),
      outcome: z.enum(['released', 'unchanged', 'failed', 'rolled_back', 'aborted', 'untouched']),
    }),
  ),
});

export async function saveResult(key: ResultKey, result: ReleaseResult, attempt: number): Promise<void> {
  await mkdir(join(key.dir, 'results'), { recursive: true });
  const stored = { ...result, attempt };
  await writeFile(await resultPath(key, result.app, result.environment), `${JSON.stringify(stored, null, 2)}\n`);
}

/** The stored result of the last release of an app environment, as much as a retry needs; null when none. */
export async function loadResult(
  key: ResultKey,
  app: string,
  environment: string,
): Promise<(RetrySource & { attempt: number }) | null> {
  try {
    const text = await readFile(await resultPath(key, app, environment), 'utf8');
    const parsed = storedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
