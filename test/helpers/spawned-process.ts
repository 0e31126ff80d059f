/** A Node process of the project's own (the server, `yardmaster worker`) started for a test, its output collected. */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A started process. */
export interface SpawnedProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** stdout then stderr so far. */
  output(): string;
  /** Resolves with the first stdout line `match` accepts; rejects after `timeoutMs` or when the process exits. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code; rejects when it still runs after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | null>;
}

/** Runs `node <args>` in `cwd` with only PATH and `env` in its environment. */
export function spawnNode(args: readonly string[], env: Record<string, string>, cwd: string): SpawnedProcess {
  const child = spawn(process.execPath, [...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  return {
    child,
    output: () => `${stdout}${stderr}`,
    waitForLine(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = stdout.split('\n').find(match);
          if (line === undefined) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(line);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching line within ${timeoutMs} ms; output:\n${stdout}${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        void exit.then((code) => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`exited (${String(code)}) before the line; output:\n${stdout}${stderr}`));
        });
        check();
      });
    },
    exited: (timeoutMs = 20_000) =>
      Promise.race([
        exit,
        new Promise<never>((_resolve, reject) =>
          setTimeout(() => {
            reject(new Error(`still running after ${timeoutMs} ms`));
          }, timeoutMs).unref(),
        ),
      ]),
  };
}
