/** Learning a host key from the key exchange alone: never authenticating, bounded in time, trusting nothing else. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as SshServer } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostKeyStatus, scanHostKey, scanHostKeys } from '../../src/executors/index.ts';
import { freePorts } from '../../src/lib/free-port.ts';
import { generateKeyPair, type KeyPair } from '../helpers/sshd.ts';
import { listenLoopback, startSilentServer } from '../helpers/tcp-servers.ts';

let scratch: string;
let hostKey: KeyPair;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ym-key-scan-'));
  hostKey = await generateKeyPair(join(scratch, 'host_key'), 'scan-host');
});

afterAll(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe('scanHostKey', () => {
  it('learns the key of an SSH server that sees no authentication attempt, and disconnects', async () => {
    const seen: string[] = [];
    let closed!: () => void;
    const disconnected = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const server = new SshServer({ hostKeys: [hostKey.privateKey] }, (client) => {
      seen.push('connection');
      client.on('authentication', (context) => {
        seen.push(`authentication ${context.method}`);
        context.reject();
      });
      client.on('error', () => undefined);
      client.on('close', closed);
    });
    const listening = await listenLoopback(server);
    try {
      const scan = await scanHostKey({ address: '127.0.0.1', port: listening.port }, { timeoutMs: 10_000 });
      expect(scan).toEqual({ ok: true, fingerprint: hostKey.fingerprint });
      await disconnected;
      expect(seen).toEqual(['connection']);
    } finally {
      await listening.close();
    }
  });

  it('names failures in its own words: refused, timed out, no SSH (what the peer sent is not repeated)', async () => {
    const [closedPort = 1] = await freePorts(1);
    const silent = await startSilentServer();
    const liar = await listenLoopback(
      createTcpServer((socket) => {
        socket.end('HTTP/1.1 400 \u001b[31mpwned\u001b[0m\r\n\r\n');
      }),
    );
    try {
      const [refused, timedOut, notSsh] = await scanHostKeys(
        [
          { address: '127.0.0.1', port: closedPort },
          { address: '127.0.0.1', port: silent.port },
          { address: '127.0.0.1', port: liar.port },
        ],
        { timeoutMs: 1000, concurrency: 2 },
      );
      expect(refused).toEqual({ ok: false, reason: 'connection refused' });
      expect(timedOut).toEqual({ ok: false, reason: 'timed out after 1000 ms' });
      // ssh2 rejects the greeting, or the peer's close comes first: either way in our words.
      expect(['no SSH key exchange', 'connection closed before the key exchange']).toContain(
        notSsh?.ok === false ? notSsh.reason : notSsh?.fingerprint,
      );
      expect(JSON.stringify(notSsh)).not.toContain('pwned');
    } finally {
      await Promise.all([silent.close(), liar.close()]);
    }
  });

  it('an aborted scan ends at once; a pin compares with or without = padding', async () => {
    const silent = await startSilentServer();
    try {
      const controller = new AbortController();
      const scan = scanHostKey(
        { address: '127.0.0.1', port: silent.port },
        { timeoutMs: 60_000, signal: controller.signal },
      );
      controller.abort();
      expect(await scan).toEqual({ ok: false, reason: 'aborted' });
    } finally {
      await silent.close();
    }
    expect(hostKeyStatus(undefined, hostKey.fingerprint)).toBe('new');
    expect(hostKeyStatus(`${hostKey.fingerprint}=`, hostKey.fingerprint)).toBe('same');
    expect(hostKeyStatus(`SHA256:${'A'.repeat(43)}`, hostKey.fingerprint)).toBe('different');
  });
});
