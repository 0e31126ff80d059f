/** One running `sshd -D -e` child and the wait for its SSH banner. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Path of Debian's OpenSSH server. */
export const SSHD_PATH = '/usr/sbin/sshd';

export interface SshdProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the master sshd has exited (for whatever reason). */
  exited: Promise<void>;
  /** What sshd wrote to stderr so far (LogLevel ERROR: only real problems). */
  stderr(): string;
}

/** Starts `sshd -f config -D -e` in the foreground as a child of this process. */
export function spawnSshd(configPath: string): SshdProcess {
  const child = spawn(SSHD_PATH, ['-f', configPath, '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
  // A child that never started still gets an 'exit'; its 'error' must not become an uncaught exception.
  child.once('error', (error) => {
    stderr += `${error.message}\n`;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${SSHD_PATH}`);
  return { child, pid, exited, stderr: () => stderr };
}

/** One attempt: connects and resolves true when the server greets with `SSH-2.0-`. */
function answersBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => {
      finish(false);
    });
    socket.on('error', () => {
      finish(false);
    });
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('SSH-2.0-'));
    });
    socket.on('end', () => {
      finish(false);
    });
  });
}

/**
 * Waits until `port` answers with an SSH banner. Fails early when the process exits (e.g. the port was taken
 * after all) and after `timeoutMs`.
 */
export async function waitForBanner(port: number, sshd: SshdProcess, timeoutMs = 15_000): Promise<void> {
  let exited = false;
  void sshd.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set when sshd exits, between polls
    if (exited) throw new Error(`sshd on port ${port} exited before it was ready: ${sshd.stderr().trim()}`);
    if (await answersBanner(port)) return;
    await delay(20);
  }
  throw new Error(`sshd on port ${port} did not answer within ${timeoutMs} ms: ${sshd.stderr().trim()}`);
}
