/** Connecting with the ssh plugin: host key pinning, authentication, failures, and hosts that go away. */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { ExecutorLostError } from '../../src/executors/executor-lost-error.ts';
import { connectExecutor } from '../../src/executors/registry.ts';
import { createSshExecutorPlugin, sshExecutorPlugin } from '../../src/executors/ssh-executor.ts';
import { ConnectError, type ConnectOptions } from '../../src/executors/types.ts';
import { connectFleetHost, fleetConnectOptions, run } from '../helpers/executor-fixtures.ts';
import { freePorts } from '../../src/lib/free-port.ts';
import { generateKeyPair, startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { startSilentServer } from '../helpers/tcp-servers.ts';

const runFile = promisify(execFile);

let fleet: SshdFleet;
let scratch: string;

beforeAll(async () => {
  [fleet, scratch] = await Promise.all([startSshdFleet(4), mkdtemp(join(tmpdir(), 'ym-connect-'))]);
});

afterAll(async () => {
  await fleet?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

function entry(index: number, changes: Partial<HostEntry> = {}): HostEntry {
  const host = fleet.hostEntries()[index];
  if (host === undefined) throw new Error(`no host ${index}`);
  return { ...host, ...changes };
}

function withoutPin(index: number): HostEntry {
  const { hostKey: _pinned, ...rest } = entry(index);
  return rest;
}

async function connectError(host: HostEntry, options: ConnectOptions): Promise<ConnectError> {
  try {
    const executor = await sshExecutorPlugin.connect(host, options);
    await executor.close();
  } catch (error) {
    if (error instanceof ConnectError) return error;
    throw error;
  }
  throw new Error('connected, but a ConnectError was expected');
}

describe('host keys', () => {
  it('computes the same fingerprint as ssh-keygen -lf', async () => {
    const { stdout } = await runFile('ssh-keygen', ['-lf', join(fleet.root, 'host-1', 'host_key.pub')]);
    expect(stdout.split(' ')[1]).toBe(fleet.hosts[0]?.hostKeyFingerprint);
  });

  it('connects to a host whose key matches the pin, and reuses one connection for every command', async () => {
    const executor = await connectFleetHost(fleet, 0);
    try {
      const seen = new Set<string>();
      for (let index = 0; index < 20; index += 1) seen.add((await run(executor, 'echo "$SSH_CONNECTION"')).stdout);
      const parallel = await Promise.all(Array.from({ length: 20 }, () => run(executor, 'echo "$SSH_CONNECTION"')));
      for (const result of parallel) seen.add(result.stdout);
      expect(seen.size).toBe(1);
      expect([...seen][0]).toMatch(new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${fleet.hosts[0]?.port}\\n$`));
    } finally {
      await executor.close();
    }
  });

  it('refuses a host whose key differs from the pin, naming both fingerprints', async () => {
    const wrongPin = fleet.hosts[1]?.hostKeyFingerprint ?? '';
    const presented = fleet.hosts[0]?.hostKeyFingerprint ?? '';
    const host = entry(0, { hostKey: wrongPin });
    for (const acceptNewHostKeys of [false, true]) {
      let reported = false;
      const error = await connectError(
        host,
        fleetConnectOptions(fleet, { acceptNewHostKeys, onNewHostKey: () => (reported = true) }),
      );
      expect(error.reason).toBe('host-key-mismatch');
      expect(error.hostName).toBe('host-1');
      expect(error.message).toContain('host-1');
      expect(error.message).toContain(`127.0.0.1:${host.port}`);
      expect(error.message).toContain(wrongPin);
      expect(error.message).toContain(presented);
      expect(error.message).toContain('man-in-the-middle');
      expect(reported).toBe(false);
    }
  });

  it('refuses a host without a pinned key by default, saying how to pin it', async () => {
    const error = await connectError(withoutPin(0), fleetConnectOptions(fleet));
    const fingerprint = fleet.hosts[0]?.hostKeyFingerprint ?? '';
    expect(error.reason).toBe('host-key-unknown');
    expect(error.message).toContain(fingerprint);
    expect(error.message).toContain(`host_key: "${fingerprint}"`);
  });

  it('accepts a new host key only with the explicit flag, and reports it', async () => {
    const reported: [string, string][] = [];
    const executor = await sshExecutorPlugin.connect(
      withoutPin(0),
      fleetConnectOptions(fleet, {
        acceptNewHostKeys: true,
        onNewHostKey: (host, fingerprint) => reported.push([host.name, fingerprint]),
      }),
    );
    try {
      expect(reported).toEqual([['host-1', fleet.hosts[0]?.hostKeyFingerprint]]);
      expect((await run(executor, 'echo ok')).stdout).toBe('ok\n');
    } finally {
      await executor.close();
    }
  });
});

describe('authentication', () => {
  it('fails with auth-failed for a key the host does not know', async () => {
    const stranger = await generateKeyPair(join(scratch, 'stranger'));
    const error = await connectError(entry(0), fleetConnectOptions(fleet, { privateKey: stranger.privateKey }));
    expect(error.reason).toBe('auth-failed');
    expect(error.message).toContain(fleet.user);
  });

  it('fails with auth-failed for an unknown user', async () => {
    const error = await connectError(entry(0, { user: 'no-such-user-here' }), fleetConnectOptions(fleet));
    expect(error.reason).toBe('auth-failed');
  });

  it('uses a passphrase-protected key, and fails with auth-failed for a wrong passphrase', async () => {
    const path = join(scratch, 'protected');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sesame', '-C', 'protected', '-f', path]);
    await appendFile(join(fleet.root, 'authorized_keys'), await readFile(`${path}.pub`, 'utf8'));
    const privateKey = await readFile(path);
    const executor = await sshExecutorPlugin.connect(
      entry(0),
      fleetConnectOptions(fleet, { privateKey, passphrase: 'sesame' }),
    );
    expect((await run(executor, 'echo in')).stdout).toBe('in\n');
    await executor.close();
    const error = await connectError(entry(0), fleetConnectOptions(fleet, { privateKey, passphrase: 'wrong' }));
    expect(error.reason).toBe('auth-failed');
  });

  it('authenticates through an ssh-agent', async () => {
    const socket = join(scratch, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        try {
          await runFile('ssh-add', [fleet.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
          break;
        } catch (error) {
          if (attempt === 99) throw error;
          await delay(20);
        }
      }
      const { privateKey: _unused, ...options } = fleetConnectOptions(fleet);
      const executor = await sshExecutorPlugin.connect(entry(0), { ...options, agent: socket });
      expect((await run(executor, 'echo agent')).stdout).toBe('agent\n');
      await executor.close();
    } finally {
      agent.kill();
    }
  });
});

describe('unreachable hosts', () => {
  it('reports a closed port as unreachable', async () => {
    const [port] = await freePorts(1);
    const error = await connectError(entry(0, { port: port ?? 1 }), fleetConnectOptions(fleet));
    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('reports a server that never completes the handshake as a timeout', async () => {
    const silent = await startSilentServer();
    try {
      const error = await connectError(
        entry(0, { port: silent.port }),
        fleetConnectOptions(fleet, { readyTimeoutMs: 300 }),
      );
      expect(error.reason).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  it('stops connecting when aborted', async () => {
    const silent = await startSilentServer();
    try {
      const controller = new AbortController();
      const pending = connectError(
        entry(0, { port: silent.port }),
        fleetConnectOptions(fleet, { signal: controller.signal }),
      );
      await delay(50);
      controller.abort();
      expect((await pending).reason).toBe('aborted');
      const early = await connectError(entry(0), fleetConnectOptions(fleet, { signal: AbortSignal.abort() }));
      expect(early.reason).toBe('aborted');
    } finally {
      await silent.close();
    }
  });
});

describe('hosts that go away', () => {
  it('rejects a running command with ExecutorLostError when the server dies, and every later call too', async () => {
    const host = fleet.hosts[1];
    if (host === undefined) throw new Error('no host');
    const executor = await connectFleetHost(fleet, 1);
    const running = executor.exec('echo started; sleep 30', {
      onStdout: (chunk) => {
        if (chunk.includes('started')) host.kill();
      },
    });
    const error: unknown = await running.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecutorLostError);
    expect((error as ExecutorLostError).hostName).toBe('host-2');
    // Noticed from the socket, not by waiting for keepalives to go unanswered.
    expect((error as ExecutorLostError).message).not.toMatch(/keepalive/i);
    await expect(executor.exec('true')).rejects.toBeInstanceOf(ExecutorLostError);
    await expect(
      executor.putFile(join(fleet.root, 'authorized_keys'), join(host.deployTo, 'x'), { method: 'sftp' }),
    ).rejects.toBeInstanceOf(ExecutorLostError);
    await expect(
      executor.putFile(join(fleet.root, 'authorized_keys'), join(host.deployTo, 'x'), { method: 'scp' }),
    ).rejects.toBeInstanceOf(ExecutorLostError);
    await expect(executor.openTcp('127.0.0.1', host.port)).rejects.toBeInstanceOf(ExecutorLostError);
    await executor.close();

    await host.restart();
    const again = await connectFleetHost(fleet, 1);
    expect((await run(again, 'echo back')).stdout).toBe('back\n');
    await again.close();
  });

  it('notices an idle connection whose server died before the next command', async () => {
    const host = fleet.hosts[3];
    if (host === undefined) throw new Error('no host');
    const executor = await connectFleetHost(fleet, 3);
    expect((await run(executor, 'echo one')).stdout).toBe('one\n');
    host.kill();
    let error: unknown;
    // The socket's end may take a moment to arrive; the command must then fail as "lost", never hang.
    for (let attempt = 0; attempt < 50 && error === undefined; attempt += 1) {
      error = await executor.exec('true').then(
        () => delay(20).then(() => undefined),
        (caught: unknown) => caught,
      );
    }
    expect(error).toBeInstanceOf(ExecutorLostError);
    await executor.close();
    await host.restart();
  });

  it('declares a frozen host lost when keepalives go unanswered', async () => {
    const host = fleet.hosts[2];
    if (host === undefined) throw new Error('no host');
    const quickKeepalive = createSshExecutorPlugin({ keepaliveIntervalMs: 300, keepaliveCountMax: 2 });
    const executor = await connectFleetHost(fleet, 2, quickKeepalive);
    try {
      const running = executor.exec('echo started; sleep 30', {
        onStdout: (chunk) => {
          if (chunk.includes('started')) host.kill('SIGSTOP');
        },
      });
      const error: unknown = await running.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ExecutorLostError);
      expect((error as ExecutorLostError).message).toMatch(/keepalive/i);
    } finally {
      host.kill('SIGCONT');
      await executor.close();
      await host.restart();
    }
  });

  it('refuses commands after close()', async () => {
    const executor = await connectFleetHost(fleet, 0);
    await executor.close();
    await expect(executor.exec('true')).rejects.toBeInstanceOf(ExecutorLostError);
  });
});

describe('registry', () => {
  it('connects an ssh host entry with the ssh plugin', async () => {
    const executor = await connectExecutor(entry(0), fleetConnectOptions(fleet));
    expect((await run(executor, 'echo via-registry')).stdout).toBe('via-registry\n');
    await executor.close();
  });

  it('passes the plugin’s ConnectError through', async () => {
    await expect(connectExecutor(withoutPin(0), fleetConnectOptions(fleet))).rejects.toMatchObject({
      name: 'ConnectError',
      reason: 'host-key-unknown',
    });
  });
});
