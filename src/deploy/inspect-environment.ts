/** `yardmaster releases`: what is live where, read from every host of an environment. */
import type { ResolvedHost } from '../config/types.ts';
import type { Executor } from '../executors/types.ts';
import { inspectHost, type HostInventory } from './inspect-host.ts';
import type { ConnectHost } from './types.ts';

export type HostInventoryReport =
  | ({ ok: true; host: string } & HostInventory)
  | { ok: false; host: string; error: string };

export async function inspectEnvironment(
  hosts: readonly ResolvedHost[],
  connect: ConnectHost,
  signal: AbortSignal,
): Promise<HostInventoryReport[]> {
  return Promise.all(
    hosts.map(async (target): Promise<HostInventoryReport> => {
      let executor: Executor | null = null;
      try {
        executor = await connect(target.entry, signal);
        const io = {
          executor,
          target,
          signal,
          releaseId: 'inspect',
          mask: (text: string) => text,
          emit: () => {
            /* inspecting reports through its result, not events */
          },
          plan: { commandTimeoutMs: 60_000 },
        };
        return { ok: true, host: target.entry.name, ...(await inspectHost(io, target.deployTo)) };
      } catch (error) {
        return { ok: false, host: target.entry.name, error: error instanceof Error ? error.message : String(error) };
      } finally {
        if (executor) await executor.close().catch(() => undefined);
      }
    }),
  );
}
