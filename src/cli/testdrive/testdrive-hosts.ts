/**
 * The three hosts of the testdrive: real OpenSSH servers on 127.0.0.1 when sshd is installed, else this machine
 * through the local executor.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostEntry } from '../../config/types.ts';
import { connectExecutor } from '../../executors/index.ts';
import type { ConnectHost } from '../../deploy/types.ts';

export interface TestdriveHosts {
  kind: 'sshd' | 'local';
  hosts: HostEntry[];
  connect: ConnectHost;
  stop(): Promise<void>;
}

function localHosts(root: string): TestdriveHosts {
  const hosts: HostEntry[] = [1, 2, 3].map(
    (n): HostEntry => ({
      name: `local-${n}`,
      address: '127.0.0.1',
      port: 22,
      executor: 'local',
      deployTo: join(root, 'hosts', `local-${n}`),
    }),
  );
  const connect: ConnectHost = (host, signal) =>
    connectExecutor(host, { defaultUser: 'local', acceptNewHostKeys: false, readyTimeoutMs: 5_000, signal });
  return { kind: 'local', hosts, connect, stop: () => Promise.resolve() };
}

export async function testdriveHosts(
  root: string,
  preferLocal: boolean,
  note: (text: string) => void,
): Promise<TestdriveHosts> {
  if (preferLocal || !existsSync('/usr/sbin/sshd')) return localHosts(root);
  try {
    const { startSshdFleet } = await import('../../sandbox/sshd-fleet.ts');
    const fleet = await startSshdFleet(3, { prefix: 'yardmaster-testdrive-sshd-' });
    // Deploy dirs live in the workspace, not in the servers' temp dir, so they outlast the servers and the
    // "try next" commands can look at them; the servers' login user must be able to create them.
    const hostsDir = join(root, 'hosts');
    await mkdir(hostsDir, { recursive: true });
    await chmod(hostsDir, 0o1777);
    const hosts = fleet.hostEntries().map((entry) => ({ ...entry, deployTo: join(hostsDir, entry.name) }));
    const connect: ConnectHost = (host, signal) =>
      connectExecutor(host, {
        privateKey: fleet.privateKey,
        defaultUser: fleet.user,
        acceptNewHostKeys: false,
        readyTimeoutMs: 10_000,
        signal,
      });
    return { kind: 'sshd', hosts, connect, stop: () => fleet.stop() };
  } catch (error) {
    note(
      `could not start local sshd servers (${error instanceof Error ? error.message : String(error)}); using the local executor instead`,
    );
    return localHosts(root);
  }
}
