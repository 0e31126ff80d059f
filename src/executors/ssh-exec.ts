/** Running one command line over an ssh2 connection. */
import type { ClientChannel } from 'ssh2';
import { ExecutorLostError } from './executor-lost-error.ts';
import { INTERRUPT_GRACE_MS, watchInterrupt } from './interrupt-escalation.ts';
import { signalChannel } from './ssh-channel-signal.ts';
import type { SshConnection } from './ssh-connection.ts';
import { leaderReportFilter, withLeaderReport } from './ssh-session-leader.ts';
import { feedStdin } from './stdin-feed.ts';
import type { ExecOptions, ExecResult } from './types.ts';
import { utf8Forwarder } from './utf8-forwarder.ts';

/** Opens an exec channel; a failure because the connection is gone becomes {@link ExecutorLostError}. */
export function openExecChannel(connection: SshConnection, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const lostBefore = connection.lostError();
    if (lostBefore !== undefined) {
      reject(lostBefore);
      return;
    }
    try {
      connection.client.exec(command, (error, channel) => {
        if (!error) {
          resolve(channel);
          return;
        }
        reject(connection.lostError() ?? error);
      });
    } catch (error) {
      // ssh2 throws "Not connected" synchronously when the socket is already gone.
      reject(connection.lostError() ?? new ExecutorLostError(connection.host.name, String(error), { cause: error }));
    }
  });
}

/** Sends a signal to a remote process group over a second channel; best effort, errors are ignored. */
function killProcessGroup(connection: SshConnection, pgid: number | undefined, signalName: 'TERM' | 'KILL'): void {
  if (pgid === undefined || connection.lostError() !== undefined) return;
  openExecChannel(connection, `kill -s ${signalName} -- -${pgid} 2>/dev/null; exit 0`).then(
    (channel) => {
      channel.on('error', () => {
        /* a late channel is only drained and closed */
      });
      channel.resume();
      channel.stderr.resume();
      channel.end();
    },
    () => {
      /* no channel came: nothing to close */
    },
  );
}

/**
 * Runs `command` with the login user's shell and resolves with how it ended. Output is streamed as UTF-8
 * strings. Timeout and abort send SIGTERM to the command's process group, SIGKILL after a grace period, then
 * close the channel. Rejects with {@link ExecutorLostError} if the connection drops before the command
 * reported an exit status, and with the read error if a Readable stdin fails.
 */
export async function sshExec(
  connection: SshConnection,
  command: string,
  options: ExecOptions = {},
  graceMs: number = INTERRUPT_GRACE_MS,
): Promise<ExecResult> {
  if (options.signal?.aborted === true) return { exitCode: null, signal: null, timedOut: false, aborted: true };
  const channel = await openExecChannel(connection, withLeaderReport(command));
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout = utf8Forwarder(options.onStdout);
    const stderr = utf8Forwarder(options.onStderr);
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let reportedExit = false;
    let stdinError: Error | undefined;

    const leader = leaderReportFilter((chunk) => {
      stderr.write(chunk);
    });
    const watch = watchInterrupt(
      options,
      {
        terminate: () => {
          // While the leader lives, sshd killpg's its group; after it exited only our own kill reaches the rest.
          if (!reportedExit) signalChannel(channel, 'TERM');
          else killProcessGroup(connection, leader.pgid(), 'TERM');
        },
        kill: () => {
          signalChannel(channel, 'KILL');
          killProcessGroup(connection, leader.pgid(), 'KILL');
        },
        abandon: () => {
          channel.close();
        },
      },
      graceMs,
    );
    const detachStdin = feedStdin(channel, options.stdin, (error) => {
      stdinError = error;
      watch.interrupt();
    });

    channel.on('data', (chunk: Buffer) => {
      stdout.write(chunk);
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      leader.write(chunk);
    });
    // Writes after the command exited, or a reset connection: the outcome is decided in 'close'.
    channel.on('error', () => {
      /* decided in 'close' */
    });
    channel.stderr.on('error', () => {
      /* decided in 'close' */
    });
    // Only a hint for the interrupt steps: a short command's 'exit' may be emitted before this listener
    // exists (ssh2 parses a whole TCP read at once); the final status comes with 'close', which waits for
    // the output to be read.
    channel.on('exit', () => {
      reportedExit = true;
    });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      watch.dispose();
      detachStdin();
      stdout.end();
      leader.end();
      stderr.end();
      const lost = connection.lostError();
      if (!reportedExit && lost !== undefined) reject(lost);
      else if (stdinError !== undefined) reject(stdinError);
      else resolve({ exitCode, signal: exitSignal, timedOut: watch.timedOut, aborted: watch.aborted });
    };
    channel.once('close', (code?: unknown, signalName?: unknown) => {
      reportedExit = code !== undefined;
      exitCode = typeof code === 'number' ? code : null;
      exitSignal = typeof signalName === 'string' ? signalName : null;
      // stderr is a separate stream: let its last chunks out before reporting the end.
      if (channel.stderr.readableEnded || channel.stderr.destroyed) finish();
      else {
        const fallback = setTimeout(finish, 1000);
        channel.stderr.once('end', () => {
          clearTimeout(fallback);
          finish();
        });
      }
    });
  });
}
