import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRepoConfigFile } from '../../src/config/load-config.ts';
import { ARCHITECTURE_CONFIG } from './config-fixtures.ts';
import { issuesOf, valueOf } from './plan-fixtures.ts';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadRepoConfigFile', () => {
  it('reads and parses a config file', async () => {
    const path = join(dir, 'yardmaster.yml');
    await writeFile(path, ARCHITECTURE_CONFIG);
    expect(Object.keys(valueOf(await loadRepoConfigFile(path)).apps)).toStrictEqual(['checkout-api']);
  });

  it('reports a missing file as an issue, not an exception', async () => {
    const path = join(dir, 'missing.yml');
    expect(issuesOf(await loadRepoConfigFile(path))).toStrictEqual([`config file ${path} does not exist`]);
  });

  it('reports a directory as an issue', async () => {
    expect(issuesOf(await loadRepoConfigFile(dir))).toStrictEqual([`config file ${dir} is a directory`]);
  });

  it('reports invalid content with positions', async () => {
    const path = join(dir, 'bad.yml');
    await writeFile(path, 'apps:\n  api:\n    deploy_to: relative\n    environments: { qa: { hosts: [h] } }\n');
    expect(issuesOf(await loadRepoConfigFile(path))).toStrictEqual([
      'line 3, column 5, apps.api.deploy_to: expected an absolute path like /srv/app',
    ]);
  });
});
