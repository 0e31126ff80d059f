/**
 * Splits the hosts of a release into the batches its strategy walks. Here, beside the strategy, so that `yardmaster
 * validate` can show the batches without loading the release engine and its SSH stack.
 */
import type { Strategy } from './types.ts';

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
