/** Runs `node bin/yardmaster.js <args>` in `cwd` with only PATH and `env` in its environment, keeping what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const YARDMASTER_BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Node options before the script (e.g. `--cpu-prof`). */
  nodeOptions?: readonly string[];
  /** Called with all of stdout so far, each time more arrives. */
  onStdout?: (stdout: string, child: ChildProcess) => void;
}

export function runYardmaster(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), YARDMASTER_BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}
