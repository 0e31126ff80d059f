/** Splits the hosts of a release into the batches its strategy walks, and how many run at once. */
import type { Strategy } from '../plan/types.ts';

/** Hosts in plan order, grouped: serial = one per batch, parallel = one batch, batches = canary then chunks. */
export function planBatches<T>(hosts: readonly T[], strategy: Strategy): T[][] {
  if (hosts.length === 0) return [];
  switch (strategy.mode) {
    case 'serial':
      return hosts.map((host) => [host]);
    case 'parallel':
      return [[...hosts]];
    case 'batches': {
      const canary = Math.min(strategy.canary, hosts.length);
      const size =
        strategy.batchSize.kind === 'count'
          ? strategy.batchSize.count
          : Math.ceil((strategy.batchSize.percent / 100) * hosts.length);
      const step = Math.max(1, size);
      const batches: T[][] = canary > 0 ? [hosts.slice(0, canary)] : [];
      for (let start = canary; start < hosts.length; start += step) batches.push(hosts.slice(start, start + step));
      return batches;
    }
  }
}

/** How many hosts of one batch run at the same time. */
export function batchConcurrency(strategy: Strategy, batchLength: number): number {
  if (strategy.mode === 'serial') return 1;
  if (strategy.mode === 'parallel') return Math.max(1, Math.min(strategy.concurrency, batchLength));
  return Math.max(1, batchLength);
}

/** The pause before a batch (none before the first). */
export function pauseBefore(strategy: Strategy, batchIndex: number): number {
  return strategy.mode === 'batches' && batchIndex > 0 ? strategy.pauseMs : 0;
}
