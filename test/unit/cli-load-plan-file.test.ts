/** `yardmaster validate|deploy` read a plan from YAML, or from Markdown holding one plan block as a comment would. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../src/cli/load-plan-file.ts';
import { planYaml } from './plan-fixtures.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-load-plan-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(name: string, text: string): Promise<Awaited<ReturnType<typeof loadPlanFile>>> {
  const path = join(dir, name);
  await writeFile(path, text);
  return loadPlanFile(path);
}

describe('loadPlanFile', () => {
  it('reads the visible plan block of a Markdown file, not one in an HTML comment', async () => {
    const hidden = [
      '<!--',
      '```yaml',
      planYaml().replace('2.4.1', '6.6.6'),
      '```',
      '-->',
      '',
      '```yaml',
      planYaml(),
      '```',
    ].join('\n');
    const loaded = await load('plan.md', hidden);
    expect(loaded.ok && loaded.plan.version).toBe('2.4.1');
  });

  it('refuses a Markdown file with two plan blocks, naming their lines', async () => {
    const twice = ['```yaml', planYaml(), '```', '```yardmaster', planYaml(), '```'].join('\n');
    const loaded = await load('twice.md', twice);
    expect(loaded).toStrictEqual({
      ok: false,
      message: `${join(dir, 'twice.md')}: the comment holds more than one plan block (lines 1 and 10); post exactly one, so approvers know which runs`,
    });
  });
});
