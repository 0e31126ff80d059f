/**
 * The offline CLI is the operator's own tool: `yardmaster deploy` keeps the local executor and any package file,
 * even when the environment names a policy file that would refuse both to a repository in server mode.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));

let work: string;
let pkg: BuiltPackage;

function yardmaster(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, YARDMASTER_CACHE_DIR: join(work, 'cache'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-cli-local-'));
  // The package lies outside the artifact store the environment names.
  pkg = await buildPackage(join(work, 'elsewhere'), '1.0.0');
  await mkdir(join(work, 'store'));
  await mkdir(join(work, 'here'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster deploy (the operator at the keyboard)', () => {
  it('runs a local-executor host with a file:// package outside the artifact store, whatever YARDMASTER_POLICY says', async () => {
    const config = join(work, 'yardmaster.yml');
    const deployTo = join(work, 'here');
    await writeFile(
      config,
      [
        'apps:',
        '  shop:',
        `    deploy_to: ${deployTo}`,
        '    environments:',
        '      staging: { hosts: [me] }',
        'hosts:',
        '  me:',
        '    - { name: me, executor: local }',
        '',
      ].join('\n'),
    );
    const plan = join(work, 'plan.yml');
    const marker = join(work, 'ran-locally');
    await writeFile(
      plan,
      [
        'app: shop',
        'environment: staging',
        'version: 1.0.0',
        'package:',
        `  url: ${pkg.url}`,
        `  sha256: ${pkg.sha256}`,
        'commands:',
        `  check: ["touch ${marker}"]`,
        '',
      ].join('\n'),
    );
    // A policy that grants nothing to anyone: the CLI does not read it.
    const policy = join(work, 'policy.yml');
    await writeFile(policy, 'repos: []\n');
    const result = await yardmaster(['deploy', '--config', config, plan], {
      YARDMASTER_POLICY: policy,
      YARDMASTER_ARTIFACTS_DIR: join(work, 'store'),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('released shop 1.0.0 to staging');
    expect(await liveTarget(deployTo)).toBe('releases/1.0.0');
    expect(await readFile(marker, 'utf8')).toBe('');
  });
});
