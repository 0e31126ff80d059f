/** The engine's `connect`, reading and recording each host's live release before the engine may change it. */
import { posix } from 'node:path';
import type { ResolvedHost } from '../config/types.ts';
import { versionFromLinkTarget } from '../deploy/index.ts';
import type { ConnectHost } from '../deploy/types.ts';
import { shellQuote } from '../executors/index.ts';
import type { Executor } from '../executors/types.ts';

const READ_TIMEOUT_MS = 30_000;

/** The version `<deployTo>/current` points at, or null (no release yet, or not one of ours). */
export async function readLiveVersion(
  executor: Executor,
  deployTo: string,
  signal: AbortSignal,
): Promise<string | null> {
  let output = '';
  const result = await executor.exec(`readlink ${shellQuote(posix.join(deployTo, 'current'))} 2>/dev/null || true`, {
    onStdout: (chunk) => {
      output += chunk;
    },
    signal,
    timeoutMs: READ_TIMEOUT_MS,
  });
  if (result.exitCode !== 0) throw new Error(`could not read the live release of ${executor.host.name}`);
  return versionFromLinkTarget(output.trim());
}

/**
 * Wraps `connect`: the first connection to each host reads its live release and awaits `observe(host, version)`
 * before handing the connection to the engine. Reconnects (for a rollback) are passed through.
 */
export function recordingConnect(
  connect: ConnectHost,
  hosts: readonly ResolvedHost[],
  observe: (host: string, previousVersion: string | null) => Promise<void>,
): ConnectHost {
  const deployDirs = new Map(hosts.map((host) => [host.entry.name, host.deployTo]));
  const observed = new Set<string>();
  return async (host, signal) => {
    const executor = await connect(host, signal);
    const deployTo = deployDirs.get(host.name);
    if (observed.has(host.name) || deployTo === undefined) return executor;
    try {
      await observe(host.name, await readLiveVersion(executor, deployTo, signal));
      observed.add(host.name);
    } catch (error) {
      await executor.close().catch(() => undefined);
      throw error;
    }
    return executor;
  };
}
