/** Runs one program with its arguments (never through a shell), bounded in time, and returns what it printed. */
import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Process groups started here that still run: what an interrupted check must not leave behind. */
const runningGroups = new Set<number>();

/** Notes a detached child's process group until it ends. */
export function trackGroup(pid: number | undefined, ended: Promise<unknown>): void {
  if (pid === undefined) return;
  runningGroups.add(pid);
  void ended.finally(() => runningGroups.delete(pid));
}

/** SIGKILL to every process group started by this process that still runs (Ctrl-C, time limit). */
export function killRunningGroups(): void {
  for (const pid of runningGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  runningGroups.clear();
}

/** Output kept per stream: the end of a long log is what explains a failure. */
const KEEP_CHARS = 64_000;

function keepTail(text: string, more: string): string {
  const joined = text + more;
  return joined.length > KEEP_CHARS ? joined.slice(-KEEP_CHARS) : joined;
}

/**
 * Runs `program args…`, fails with its stderr's end when it exits non-zero or outlives `timeoutMs` (then it is
 * killed with its process group). `echo` copies its stderr through, for the long steps a reader wants to follow.
 */
export function runCommand(
  program: string,
  args: readonly string[],
  options: { timeoutMs: number; echo?: boolean; env?: NodeJS.ProcessEnv } = { timeoutMs: 60_000 },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = keepTail(stdout, chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = keepTail(stderr, chunk);
      if (options.echo === true) process.stderr.write(chunk);
    });
    trackGroup(child.pid, new Promise((done) => child.on('close', done)));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const how =
          signal === null ? `exit code ${String(code)}` : `signal ${signal} (time limit ${options.timeoutMs} ms)`;
        reject(new Error(`${program} ${args.join(' ')}: ${how}\n${stderr.trim().split('\n').slice(-20).join('\n')}`));
      }
    });
  });
}
