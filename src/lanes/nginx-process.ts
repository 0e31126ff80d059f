/**
 * Debian's nginx as a child process run from a directory of its own (`nginx -p <dir> -c <file>`, `daemon off`):
 * checking a config (`nginx -t`), starting, graceful reload (`nginx -s reload`), graceful stop, and its workers
 * (read from /proc, for CPU figures and to see old workers leave after a reload). Shared with bench:lanes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export const NGINX_BINARY = '/usr/sbin/nginx';

const OUTPUT_LIMIT = 16 * 1024;

function run(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { timeout: 30_000, maxBuffer: OUTPUT_LIMIT }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`nginx ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
    });
  });
}

/** `nginx -t`: throws with nginx's own words when `file` is not a config it would load. */
export function testNginxConfig(binary: string, dir: string, file: string): Promise<void> {
  return run(binary, ['-t', '-q', '-p', dir, '-c', file]);
}

/** The child processes of `pid` (Linux; none elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Whether process `pid` is gone or an nginx worker that stopped taking connections (it closed its listeners). */
function leaving(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
  } catch {
    return true;
  }
}

export interface NginxProcess {
  pid: number;
  /** The master's and the workers' process ids. */
  pids(): number[];
  /** `nginx -s reload`: resolves once the workers started before it have all stopped taking connections. */
  reload(): Promise<void>;
  exited(): boolean;
  /** What nginx wrote to stderr (before its error log was open), bounded. */
  output(): string;
  /** Graceful stop (SIGQUIT; SIGTERM after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export function spawnNginx(binary: string, dir: string, file: string): NginxProcess {
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < OUTPUT_LIMIT) stderr += chunk.toString('utf8');
  });
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${binary} did not start`);
  return {
    pid,
    pids: () => [pid, ...childPids(pid)],
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async reload() {
      const before = childPids(pid);
      await run(binary, ['-p', dir, '-c', file, '-s', 'reload']);
      for (let attempt = 0; attempt < 500 && !before.every(leaving); attempt++) await sleep(10);
      if (!before.every(leaving)) throw new Error('nginx workers from before the reload still take connections');
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGTERM'), graceMs);
      await exit;
      clearTimeout(timer);
    },
    output: () => stderr,
  };
}

/** GET `path` over the unix socket `socketPath`: the status and body, or undefined when nothing answers. */
export function askControlSocket(
  socketPath: string,
  path: string,
): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const outgoing = request({ socketPath, path, agent: false, timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', () => {
        resolve(undefined);
      });
    });
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => {
      resolve(undefined);
    });
    outgoing.end();
  });
}
