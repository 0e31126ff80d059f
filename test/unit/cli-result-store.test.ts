/** The retry cache is keyed by the config file too: two configs naming the same app and environment keep apart. */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseResult } from '../../src/deploy/types.ts';
import { loadResult, saveResult } from '../../src/cli/result-store.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-result-store-'));
  await writeFile(join(dir, 'a.yml'), 'apps: {}\n');
  await writeFile(join(dir, 'b.yml'), 'apps: {}\n');
  await symlink(join(dir, 'a.yml'), join(dir, 'a-link.yml'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const result: ReleaseResult = {
  releaseId: 'r-1',
  app: 'shop',
  environment: 'production',
  version: '1.0.0',
  status: 'failed',
  durationMs: 10,
  hosts: [{ host: 'web-1', outcome: 'failed', previousVersion: null, durationMs: 5 }],
};

describe('the retry cache', () => {
  it('keeps results apart per config file, and finds them by the file however it is named', async () => {
    const cache = join(dir, 'cache');
    await saveResult({ dir: cache, configPath: 'a.yml', cwd: dir }, result, 2);
    expect(await loadResult({ dir: cache, configPath: 'b.yml', cwd: dir }, 'shop', 'production')).toBeNull();
    const same = { releaseId: 'r-1', attempt: 2, version: '1.0.0', hosts: [{ host: 'web-1', outcome: 'failed' }] };
    expect(await loadResult({ dir: cache, configPath: join(dir, 'a.yml'), cwd: '/' }, 'shop', 'production')).toEqual(
      same,
    );
    expect(await loadResult({ dir: cache, configPath: 'a-link.yml', cwd: dir }, 'shop', 'production')).toEqual(same);
  });
});
