/** The executor contract for the local plugin, plus what is special about it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { createLocalExecutorPlugin } from '../../src/executors/local-executor.ts';
import { connectExecutor } from '../../src/executors/registry.ts';
import type { ConnectOptions, Executor } from '../../src/executors/types.ts';
import { executorContract } from '../helpers/executor-contract.ts';
import { run } from '../helpers/executor-fixtures.ts';

const host: HostEntry = { name: 'this-machine', address: '192.0.2.1', port: 22, executor: 'local' };
const options: ConnectOptions = { defaultUser: 'nobody', acceptNewHostKeys: false, readyTimeoutMs: 1000 };

let root: string;
let executor: Executor;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ym-local-'));
  // A short grace between SIGTERM and SIGKILL keeps the escalation tests quick.
  executor = await createLocalExecutorPlugin({ interruptGraceMs: 500 }).connect(host, options);
});

afterAll(async () => {
  await executor?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('local executor', () => {
  executorContract({
    executor: () => executor,
    workDir: () => mkdtemp(join(root, 'w-')),
    scratchDir: () => root,
    methods: ['sftp', 'scp'],
  });

  it('runs commands with a minimal environment in the home directory, ignoring the address', async () => {
    process.env.YM_SHOULD_NOT_LEAK = 'secret';
    try {
      const result = await run(executor, 'pwd; env');
      const [cwd, ...lines] = result.stdout.trim().split('\n');
      expect(cwd).toBe(homedir());
      const names = lines.map((line) => line.split('=')[0]);
      expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'LANG']));
      expect(names).not.toContain('YM_SHOULD_NOT_LEAK');
      // What sh adds itself is all there is besides the three.
      expect(
        names.filter((name) => !['PATH', 'HOME', 'LANG', 'PWD', 'SHLVL', '_', 'OLDPWD'].includes(name ?? '')),
      ).toEqual([]);
    } finally {
      delete process.env.YM_SHOULD_NOT_LEAK;
    }
  });

  it('is what the registry picks for executor: local', async () => {
    const viaRegistry = await connectExecutor(host, options);
    expect((await run(viaRegistry, 'echo hi')).stdout).toBe('hi\n');
    await viaRegistry.close();
    await expect(viaRegistry.exec('true')).rejects.toThrow('closed');
  });
});
