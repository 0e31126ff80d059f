/** Running one command line on this machine with `/bin/sh -c`, in its own process group. */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { INTERRUPT_GRACE_MS, watchInterrupt } from './interrupt-escalation.ts';
import { feedStdin } from './stdin-feed.ts';
import type { ExecOptions, ExecResult } from './types.ts';
import { utf8Forwarder } from './utf8-forwarder.ts';

/**
 * The environment of local commands: as little as an SSH login gives, so a command behaves the same with
 * both executors. Variables a command needs are written into the command line, as for ssh.
 */
export function minimalEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: homedir(),
    LANG: process.env.LANG ?? 'C.UTF-8',
  };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Runs `command` with `/bin/sh -c` in a new session (so it leads its own process group), in the home
 * directory, with {@link minimalEnvironment}. Timeout and abort send SIGTERM to the whole group, SIGKILL after
 * a grace period, then stop waiting for its output.
 */
export function localExec(
  command: string,
  options: ExecOptions = {},
  graceMs: number = INTERRUPT_GRACE_MS,
): Promise<ExecResult> {
  if (options.signal?.aborted === true) {
    return Promise.resolve({ exitCode: null, signal: null, timedOut: false, aborted: true });
  }
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: homedir(),
      env: minimalEnvironment(),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = utf8Forwarder(options.onStdout);
    const stderr = utf8Forwarder(options.onStderr);
    let stdinError: Error | undefined;
    let spawnError: Error | undefined;
    const watch = watchInterrupt(
      options,
      {
        terminate: () => {
          signalGroup(child.pid, 'SIGTERM');
        },
        kill: () => {
          signalGroup(child.pid, 'SIGKILL');
        },
        // A process that left the group may still hold the pipes open; stop waiting for them.
        abandon: () => {
          child.stdout.destroy();
          child.stderr.destroy();
        },
      },
      graceMs,
    );
    // The command may exit without reading its input: EPIPE is expected then.
    child.stdin.on('error', () => {
      /* EPIPE: the command did not read its input */
    });
    const detachStdin = feedStdin(child.stdin, options.stdin, (error) => {
      stdinError = error;
      watch.interrupt();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.write(chunk);
    });
    child.once('error', (error) => {
      spawnError = error;
      // Without a pid the process never started and no 'close' may follow.
      if (child.pid === undefined) {
        watch.dispose();
        detachStdin();
        reject(error);
      }
    });
    child.once('close', (code, signal) => {
      watch.dispose();
      detachStdin();
      stdout.end();
      stderr.end();
      if (spawnError !== undefined) reject(spawnError);
      else if (stdinError !== undefined) reject(stdinError);
      else resolve({ exitCode: code, signal, timedOut: watch.timedOut, aborted: watch.aborted });
    });
  });
}
