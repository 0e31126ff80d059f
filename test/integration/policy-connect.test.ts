/**
 * The connect guard workers use: the executor registry refuses what the repository's grant does not allow (the local
 * executor above all) and reaches a repository's hosts with its own `ssh_identity`, never the server's key. Real sshd.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { connectExecutor } from '../../src/executors/registry.ts';
import { defaultPolicySource, PolicyRefusedError } from '../../src/policy/index.ts';
import { policyWorkerConnect, workerConnect } from '../../src/runtime/worker-connect.ts';
import { policyFromYaml } from '../helpers/policy-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

let fleet: SshdFleet;
let work: string;
let strangerKey: string;
const quiet = { warn: () => undefined };

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-policy-connect-'));
  // The server's own key: the sshd host does not know it.
  strangerKey = join(work, 'server-key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function sshHost(): HostEntry {
  const [host] = fleet.hostEntries();
  if (host === undefined) throw new Error('no host');
  return host;
}

async function serverConnect() {
  const env = { YARDMASTER_SSH_KEY_FILE: strangerKey, YARDMASTER_SSH_USER: fleet.user };
  const base = await workerConnect(env, false, quiet);
  if (!base.ok) throw new Error(base.message);
  return { base: base.connect, env };
}

describe('policyWorkerConnect', () => {
  it('never opens a local executor for a repository whose grant does not list it', async () => {
    const { base, env } = await serverConnect();
    const connectFor = policyWorkerConnect(defaultPolicySource({ artifactsDir: work }), base, env, false, quiet);
    const local: HostEntry = { name: 'srv', address: 'localhost', port: 22, executor: 'local' };
    await expect(connectFor('acme/shop')(local, new AbortController().signal)).rejects.toThrow(PolicyRefusedError);
    await expect(connectFor('acme/shop')(local, new AbortController().signal)).rejects.toThrow(/executor local/);
    // The registry itself would have opened it: the guard is what stands between.
    const unguarded = await connectExecutor(local, {
      defaultUser: 'x',
      acceptNewHostKeys: false,
      readyTimeoutMs: 5_000,
      signal: new AbortController().signal,
    });
    expect(unguarded.host.executor).toBe('local');
    await unguarded.close();
  });

  it('refuses a host outside the grant before connecting, and follows the policy as it is at connect time', async () => {
    const { base, env } = await serverConnect();
    const policy = policyFromYaml('repos:\n  - match: "acme/*"\n    hosts: ["10.0.0.0/8"]\n', work);
    const connectFor = policyWorkerConnect(policy, base, env, false, quiet);
    await expect(connectFor('acme/shop')(sshHost(), new AbortController().signal)).rejects.toThrow(
      /address 127\.0\.0\.1\) is not among the hosts/,
    );
    await expect(connectFor('other/repo')(sshHost(), new AbortController().signal)).rejects.toThrow(
      /no rule of the operator's policy/,
    );
  });

  it("reaches a repository's hosts with its own ssh_identity instead of the server's key", async () => {
    const { base, env } = await serverConnect();
    // The server's key is refused by the host…
    await expect(base(sshHost(), new AbortController().signal)).rejects.toThrow();
    // …the repository's own key, named by the policy, is accepted.
    const policy = policyFromYaml(
      `repos:\n  - match: "acme/*"\n    hosts: ["127.0.0.1"]\n    ssh_identity: ${fleet.privateKeyPath}\n  - match: "*/*"\n    hosts: ["127.0.0.1"]\n`,
      work,
    );
    const connectFor = policyWorkerConnect(policy, base, env, false, quiet);
    const executor = await connectFor('acme/shop')(sshHost(), new AbortController().signal);
    try {
      const result = await executor.exec('true');
      expect(result.exitCode).toBe(0);
    } finally {
      await executor.close();
    }
    // Another repository gets the server's key, which this host refuses.
    await expect(connectFor('other/repo')(sshHost(), new AbortController().signal)).rejects.toThrow();
  });
});
