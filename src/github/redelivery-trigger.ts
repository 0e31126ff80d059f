/**
 * When to sweep for deliveries GitHub recorded as failed (redelivery-sweep.ts): once at start, and after an outage —
 * storing an arriving delivery failed (GitHub got an error), then storing works again, or a probe of the database
 * answers again (when no delivery arrives to show it). Sweeps never overlap; a call during one makes one more.
 */
import { coalescedTask } from '../lib/coalesced-task.ts';
import { sweepFailedDeliveries, type RedeliverySweepOptions, type RedeliverySweepResult } from './redelivery-sweep.ts';

export interface RedeliveryTriggerOptions extends RedeliverySweepOptions {
  /** Resolves when the database answers (e.g. `select 1`), rejects when it does not. */
  probe: () => Promise<void>;
  /** How often the database is probed during an outage (default 5 s). */
  probeIntervalMs?: number;
  /**
   * How long after the outage ends the sweep waits (default 30 s), so that GitHub has listed the deliveries that
   * failed last (its delivery log is not written the instant it gets our error).
   */
  recoveryDelayMs?: number;
  /** Told what each sweep did (tests, metrics). */
  onSwept?: (result: RedeliverySweepResult) => void;
  /**
   * Whether this server sweeps now (several servers on one database: the one holding the sweep's lease, so that two
   * never ask GitHub for the same deliveries at once); default always.
   */
  mayRun?: () => Promise<boolean>;
}

export interface RedeliveryTrigger {
  /** Told whether storing an arriving delivery worked. */
  stored(ok: boolean): void;
  /** Sweeps now (at start); resolves when done (failures are logged, never thrown). */
  sweep(): Promise<void>;
  /** Resolves once no sweep is under way. */
  settled(): Promise<void>;
  /** Stops probing and waits (at most `waitMs`, default 10 s) for a sweep under way; it may go on after that. */
  stop(waitMs?: number): Promise<void>;
}

export function createRedeliveryTrigger(options: RedeliveryTriggerOptions): RedeliveryTrigger {
  // Right after an outage the lease may not be readable yet: sweep then (a GUID asked for once is audited and never
  // asked for again), rather than leave the deliveries GitHub could not hand over.
  const mayRun = async (): Promise<boolean> => {
    if (options.mayRun === undefined) return true;
    try {
      return await options.mayRun();
    } catch (error) {
      options.log.warn({ err: error }, 'could not tell which server sweeps for failed deliveries: sweeping here');
      return true;
    }
  };
  const task = coalescedTask(async () => {
    try {
      if (!(await mayRun())) {
        options.log.info({}, 'another server sweeps GitHub for failed deliveries now');
        return;
      }
      // Not `onSwept?.(await …)`: without a listener that would skip the sweep itself.
      const result = await sweepFailedDeliveries(options);
      options.onSwept?.(result);
    } catch (error) {
      options.log.warn({ err: error }, 'could not sweep GitHub for failed deliveries');
    }
  });
  let outage = false;
  let probeTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  function recovered(): void {
    if (!outage || stopped) return;
    outage = false;
    clearTimeout(probeTimer);
    probeTimer = undefined;
    options.log.info({}, 'storing deliveries works again: asking GitHub soon for those it could not deliver');
    clearTimeout(sweepTimer);
    sweepTimer = setTimeout(() => {
      if (!stopped) void task.run();
    }, options.recoveryDelayMs ?? 30_000);
  }

  function probeLater(): void {
    if (stopped || !outage) return;
    probeTimer = setTimeout(() => {
      options.probe().then(recovered, probeLater);
    }, options.probeIntervalMs ?? 5_000);
  }

  return {
    stored(ok) {
      if (ok) {
        recovered();
        return;
      }
      if (outage) return;
      outage = true;
      options.log.warn(
        {},
        'a delivery could not be stored (GitHub records it as failed): watching for the database to answer',
      );
      probeLater();
    },
    sweep: () => task.run(),
    settled: () => task.settled(),
    async stop(waitMs = 10_000) {
      stopped = true;
      clearTimeout(probeTimer);
      clearTimeout(sweepTimer);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      });
      await Promise.race([task.settled(), timedOut]);
      clearTimeout(timer);
    },
  };
}
