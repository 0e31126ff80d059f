/** The server refuses to start with a policy file that has errors, naming each by line, before it opens anything. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRuntimeEnv } from '../../src/runtime/runtime-env.ts';
import { parseServerEnv } from '../../src/server/env.ts';
import { startFromConfig } from '../../src/server/start-from-config.ts';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-policy-start-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the server with YARDMASTER_POLICY', () => {
  it('does not start when the policy file has errors, and says where', async () => {
    const policy = join(dir, 'policy.yml');
    await writeFile(policy, 'repos:\n  - match: "acme/*"\n    hosts: ["10.0.0.0/8"]\n    executors: [ssh, root]\n');
    const env = {
      APP_ID: '123',
      PRIVATE_KEY: generateAppPrivateKey(),
      WEBHOOK_SECRET: 'secret',
      PORT: '0',
      HOME: dir,
      // A data directory that cannot exist: reaching the database would fail differently.
      YARDMASTER_DATA_DIR: '/proc/yardmaster-must-not-open',
      YARDMASTER_POLICY: policy,
    };
    const server = parseServerEnv(env);
    const runtime = parseRuntimeEnv(env, dir);
    if (!server.ok || !runtime.ok) throw new Error('bad test environment');
    const started = await startFromConfig(server.config, runtime.config, env, pino({ level: 'silent' }));
    expect(started).toStrictEqual({
      ok: false,
      problems: [
        `YARDMASTER_POLICY ${policy} has problems:`,
        'line 4, column 22, repos[0].executors[1]: expected ssh or local',
      ],
    });
  });
});
