/** The executor contract for the ssh plugin, against a real OpenSSH server on loopback. */
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { createSshExecutorPlugin } from '../../src/executors/ssh-executor.ts';
import type { Executor } from '../../src/executors/types.ts';
import { executorContract } from '../helpers/executor-contract.ts';
import { connectFleetHost } from '../helpers/executor-fixtures.ts';
import { ensureTestUser, startSshdFleet, type SshdFleet, type TestUser } from '../helpers/sshd.ts';

let fleet: SshdFleet;
let executor: Executor;
let user: TestUser;
let scratch: string;

beforeAll(async () => {
  [fleet, user, scratch] = await Promise.all([
    startSshdFleet(1),
    ensureTestUser(),
    mkdtemp(join(tmpdir(), 'ym-exec-scratch-')),
  ]);
  // A short grace between SIGTERM and SIGKILL keeps the escalation tests quick.
  executor = await connectFleetHost(fleet, 0, createSshExecutorPlugin({ interruptGraceMs: 500 }));
});

afterAll(async () => {
  await executor?.close();
  await fleet?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe('ssh executor', () => {
  executorContract({
    executor: () => executor,
    workDir: async () => {
      const host = fleet.hosts[0];
      if (host === undefined) throw new Error('no host');
      const dir = await mkdtemp(join(host.deployTo, 'w-'));
      if (process.getuid?.() === 0) await chown(dir, user.uid, user.gid);
      return dir;
    },
    scratchDir: () => scratch,
    methods: ['sftp', 'scp'],
  });
});
