/**
 * Debian's HAProxy as a child process, run in the foreground (`haproxy -f <file>`, no `daemon`, no master-worker:
 * one process, whose id is the child's): checking a config (`haproxy -c`), starting it and waiting until its
 * runtime API answers, and stopping it (soft stop, SIGUSR1: listeners closed, requests in flight finish; SIGTERM
 * after a grace period).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { haproxyOneShot, haproxyPid } from './haproxy-runtime-api.ts';

export const HAPROXY_BINARY = '/usr/sbin/haproxy';

const OUTPUT_LIMIT = 16 * 1024;

/** `haproxy -c`: throws with HAProxy's own words when `file` is not a config it would load. */
export function testHaproxyConfig(binary: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-c', '-f', file], { timeout: 30_000, maxBuffer: OUTPUT_LIMIT }, (error, stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`haproxy -c refused ${file}: ${`${stderr}${stdout}`.trim() || error.message}`));
    });
  });
}

export interface HaproxyProcess {
  pid: number;
  exited(): boolean;
  /** Resolves when the process has ended (whatever ended it). */
  ended: Promise<void>;
  /** What HAProxy wrote to stderr, bounded. */
  output(): string;
  /** Soft stop (SIGUSR1), then SIGTERM after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `-dMglobal`: HAProxy's process-wide cache of freed objects, on top of each thread's small one. Debian's build
 * leaves it off, so that with a few dozen requests in flight their buffers went back to malloc and came again from
 * it on every request (about an eighth of HAProxy's user-space CPU in a profile under bench:lanes' flat-out load);
 * the price is memory kept for reuse.
 */
export const HAPROXY_FLAGS: readonly string[] = ['-dMglobal'];

export function spawnHaproxy(binary: string, file: string): HaproxyProcess {
  const child: ChildProcess = spawn(binary, [...HAPROXY_FLAGS, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < OUTPUT_LIMIT) stderr += chunk.toString('utf8');
  });
  const ended = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${binary} did not start`);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid,
    exited,
    ended,
    output: () => stderr,
    async stop(graceMs = 5_000) {
      if (exited()) return;
      child.kill('SIGUSR1');
      const timer = setTimeout(() => child.kill('SIGTERM'), graceMs);
      await ended;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `haproxy`'s runtime API at `socket` answers with its own pid; throws if it exits first. */
export async function haproxyAnswering(haproxy: HaproxyProcess, socket: string): Promise<void> {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    if (haproxy.exited()) break;
    const pid = await haproxyPid(haproxyOneShot(socket)).catch(() => undefined);
    if (pid === haproxy.pid) return;
    await sleep(10);
  }
  throw new Error(`haproxy did not come up: ${haproxy.output().trim()}`.trim());
}
