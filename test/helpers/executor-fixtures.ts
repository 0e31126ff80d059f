/** Connect options and executors for tests against an sshd fleet. */
import type { HostEntry } from '../../src/config/types.ts';
import { sshExecutorPlugin } from '../../src/executors/ssh-executor.ts';
import type { ConnectOptions, Executor, ExecOptions, ExecResult, ExecutorPlugin } from '../../src/executors/types.ts';
import type { SshdFleet } from './sshd.ts';

/** Options that authenticate with the fleet's client key and refuse unknown host keys. */
export function fleetConnectOptions(fleet: SshdFleet, overrides: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    privateKey: fleet.privateKey,
    defaultUser: fleet.user,
    acceptNewHostKeys: false,
    readyTimeoutMs: 10_000,
    ...overrides,
  };
}

/** Connects to the fleet's host number `index` (0-based) with its pinned key. */
export function connectFleetHost(
  fleet: SshdFleet,
  index: number,
  plugin: ExecutorPlugin = sshExecutorPlugin,
  overrides: Partial<ConnectOptions> = {},
): Promise<Executor> {
  const host: HostEntry | undefined = fleet.hostEntries()[index];
  if (host === undefined) throw new Error(`the fleet has no host ${index}`);
  return plugin.connect(host, fleetConnectOptions(fleet, overrides));
}

export interface CapturedRun extends ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command and collects its output. */
export async function run(executor: Executor, command: string, options: ExecOptions = {}): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const result = await executor.exec(command, {
    ...options,
    onStdout: (chunk) => {
      stdout += chunk;
      options.onStdout?.(chunk);
    },
    onStderr: (chunk) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    },
  });
  return { ...result, stdout, stderr };
}
