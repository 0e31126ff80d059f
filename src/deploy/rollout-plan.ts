/** The batches a release's strategy walks (planBatches, from src/plan), how many hosts run at once, the pauses. */
import type { Strategy } from '../plan/types.ts';

export { planBatches } from '../plan/index.ts';

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
