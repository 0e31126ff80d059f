/** A rollout strategy in words, for the people who approve it. */
import { formatDuration } from './duration.ts';
import type { Strategy } from './types.ts';

function failures(maxFailures: number): string {
  return maxFailures === 0
    ? 'stops at the first failed host'
    : `tolerates ${maxFailures} failed host${maxFailures === 1 ? '' : 's'}`;
}

/** E.g. "batches of 25%, 1 canary host first, 30s pause between batches, stops at the first failed host". */
export function describeStrategy(strategy: Strategy): string {
  switch (strategy.mode) {
    case 'serial':
      return `serial, one host at a time, ${failures(strategy.maxFailures)}`;
    case 'parallel':
      return `parallel, ${strategy.concurrency} host${strategy.concurrency === 1 ? '' : 's'} at a time, ${failures(strategy.maxFailures)}`;
    case 'batches': {
      const size =
        strategy.batchSize.kind === 'count' ? `${strategy.batchSize.count}` : `${strategy.batchSize.percent}%`;
      const canary =
        strategy.canary > 0 ? `, ${strategy.canary} canary host${strategy.canary === 1 ? '' : 's'} first` : '';
      const pause = strategy.pauseMs > 0 ? `, ${formatDuration(strategy.pauseMs)} pause between batches` : '';
      return `batches of ${size}${canary}${pause}, ${failures(strategy.maxFailures)}`;
    }
  }
}
