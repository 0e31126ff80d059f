/**
 * The raw floor of a fan-out: one OpenSSH client per host, all at once, piping the package into
 * `mkdir -p DIR && tar -xzf - -C DIR`. No stages, no checks: what the wire, sshd and tar cost.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface FloorTarget {
  port: number;
  dir: string;
}

export interface FloorOptions {
  user: string;
  privateKeyPath: string;
  packagePath: string;
  /** `-c` value; absent = whatever OpenSSH negotiates by default. */
  cipher?: string;
}

function baseArgs(options: Pick<FloorOptions, 'privateKeyPath' | 'cipher'>, port: number): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    options.privateKeyPath,
    '-p',
    String(port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    ...(options.cipher === undefined ? [] : ['-c', options.cipher]),
  ];
}

/** Runs one ssh; resolves with its stderr when it exits 0, rejects otherwise. */
function runSsh(args: string[], stdinPath: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const fd = stdinPath === undefined ? 'ignore' : openSync(stdinPath, 'r');
    let closed = false;
    const closeFd = (): void => {
      if (typeof fd === 'number' && !closed) {
        closed = true;
        closeSync(fd);
      }
    };
    const child = spawn('ssh', args, { stdio: [fd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) => {
      closeFd();
      reject(error);
    });
    child.once('close', (code, signal) => {
      closeFd();
      if (code === 0) resolve(stderr);
      else reject(new Error(`ssh exited ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

/** Wall time in ms of the whole fan-out (all clients started at once, until the last one exits). */
export async function measureFloor(targets: readonly FloorTarget[], options: FloorOptions): Promise<number> {
  const started = performance.now();
  await Promise.all(
    targets.map((target) => {
      const command = `mkdir -p '${target.dir}' && tar -xzf - -C '${target.dir}'`;
      return runSsh([...baseArgs(options, target.port), `${options.user}@127.0.0.1`, command], options.packagePath);
    }),
  );
  return performance.now() - started;
}

/** What OpenSSH negotiates with the fleet's sshd: `kex: client->server cipher: …` from `ssh -v`. */
export async function negotiatedOpenSshCipher(
  port: number,
  options: Pick<FloorOptions, 'user' | 'privateKeyPath' | 'cipher'>,
): Promise<string> {
  const args = baseArgs(options, port).map((arg) => (arg === 'LogLevel=ERROR' ? 'LogLevel=VERBOSE' : arg));
  const stderr = await runSsh([...args, '-v', `${options.user}@127.0.0.1`, 'true'], undefined);
  const match = /kex: client->server cipher: (\S+)/.exec(stderr);
  return match?.[1] ?? 'unknown';
}
