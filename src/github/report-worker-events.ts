/**
 * Worker events → GitHub: a Deployment for the plan's environment (queued → in_progress → success | failure), one
 * check run per stage on the order's commit with a per-host table and the Abort and Rollback buttons while it runs
 * (made when the stage starts: report-check-runs.ts says why), a final comment with the outcome and the failed host,
 * and the labels `deploying`, `deployed`, `failed`, `rolled-back`.
 *
 * Events of one order are handled in order by the keyed serial runner (as the Slack reporter's), which updates the
 * order's state (report-state.ts) and queues writes; the writes of an installation go out one at a time through its
 * write queue (write-queue.ts), within GitHub's write budget: a newer state of an object replaces an older queued
 * one, and what people watch (a stage starting, with Abort) goes before what can wait (output lines). GitHub
 * failures are retried (src/lib/retry.ts) and then logged: reporting never throws into the worker.
 */
import type { Database, Db } from '../db/types.ts';
import type { WorkerEvent } from '../dispatch/index.ts';
import { createKeyedSerialRunner } from '../lib/keyed-serial-runner.ts';
import { githubCaller, type ReportContext, type ReporterLog } from './report-context.ts';
import { onReleaseEvent } from './report-release.ts';
import { newOrderReport, type OrderReport } from './report-state.ts';
import { databaseReportStore } from './report-store.ts';
import { targetOf, type GitHubFor } from './report-target.ts';
import { onPreflight } from './report-preflight.ts';
import { onNote, onRollback, onTransition } from './report-transitions.ts';
import { createWriteQueues } from './write-queue.ts';

export type { OctokitSlice } from './octokit-slice.ts';
export type { ReporterLog } from './report-context.ts';
export { STATE_LABELS } from './report-labels.ts';

export interface GitHubReporterOptions {
  /** A client for an installation: `probot.auth(installationId)` in the server and `yardmaster worker`. */
  githubFor: GitHubFor;
  database: Database | Db;
  /** The deployment's `log_url` and the check runs' `details_url` are `${publicUrl}/orders/<id>`. */
  publicUrl: string;
  log?: ReporterLog;
  /** Least time between two output refreshes of one check run (default 1000 ms). */
  flushIntervalMs?: number;
  /** Attempts per GitHub call (default 3). */
  attempts?: number;
  /**
   * GitHub's write budget per installation, which Octokit's throttling keeps: a write every `writeIntervalMs`
   * (default 1000 ms). The queue hands the next write over when its turn is near, so it is chosen late, with the
   * newest state. 0 for a client without the budget (tests).
   */
  writeIntervalMs?: number;
  /**
   * A stage is shown running once it has run this long (default 700 ms): a stage over sooner is shown completed, and a
   * write spent on it would have come too late to show it running. 0 for a client without the budget (tests).
   */
  liveAfterMs?: number;
  /**
   * Labels and comments wait this long (default 1000 ms) so that the state changes that come with them (a release
   * starting after the order went to running) take the next writes. 0 for a client without the budget (tests).
   */
  noteDelayMs?: number;
}

/** The reporter: an `onEvent` for `startReleaseWorker`, and `idle()` for tests and shutdown (all handled so far). */
export interface GitHubReporter {
  (event: WorkerEvent): void;
  idle(): Promise<void>;
}

const noopLog: ReporterLog = { info: () => undefined, warn: () => undefined };

const ENDED = new Set(['succeeded', 'failed', 'aborted']);

async function handle(
  ctx: ReportContext,
  githubFor: GitHubFor,
  report: OrderReport,
  event: WorkerEvent,
): Promise<void> {
  if (event.type === 'release') return onReleaseEvent(ctx, githubFor, report, event.event);
  if (event.type === 'error') {
    ctx.log.warn({ workOrderId: event.workOrderId, message: event.message }, 'worker error');
    return;
  }
  if (event.type === 'skipped') {
    ctx.log.info({ workOrderId: event.workOrderId, reason: event.reason }, 'start job skipped');
    return;
  }
  // A transition is read fresh: the order's state and head may have moved since the release started.
  const t = await targetOf(ctx, githubFor, report, event.type === 'transition');
  if (t === undefined) return;
  if (event.type === 'transition') {
    onTransition(ctx, t, report, event);
    return;
  }
  if (event.type === 'rollback-started' || event.type === 'rollback-finished') return onRollback(ctx, t, report, event);
  if (event.type === 'preflight') {
    onPreflight(ctx, t, event.preflight);
    return;
  }
  onNote(ctx, t, report, event);
}

/** Creates the reporter (see the top of this file). */
export function createGitHubReporter(options: GitHubReporterOptions): GitHubReporter {
  const log = options.log ?? noopLog;
  const runner = createKeyedSerialRunner(Number.MAX_SAFE_INTEGER, (error) => {
    log.warn({ err: error }, 'reporting a worker event failed');
  });
  const ctx: ReportContext = {
    publicUrl: options.publicUrl,
    log,
    store: databaseReportStore(options.database),
    queues: createWriteQueues({ paceMs: options.writeIntervalMs ?? 1_000 }),
    refreshIntervalMs: options.flushIntervalMs ?? 1_000,
    liveAfterMs: options.liveAfterMs ?? 700,
    noteDelayMs: options.noteDelayMs ?? 1_000,
    beside: (key, task) => {
      runner.add(key, task);
    },
    call: githubCaller(log, options.attempts ?? 3),
  };
  const orders = new Map<number, OrderReport>();

  const reportOf = (workOrderId: number): OrderReport => {
    const known = orders.get(workOrderId);
    if (known !== undefined) return known;
    const report = newOrderReport(workOrderId);
    orders.set(workOrderId, report);
    return report;
  };

  const reporter = (event: WorkerEvent): void => {
    const workOrderId = event.workOrderId;
    if (workOrderId === null) {
      if (event.type === 'error') log.warn({ message: event.message }, 'worker error');
      return;
    }
    runner.add(String(workOrderId), async () => {
      const report = reportOf(workOrderId);
      await handle(ctx, options.githubFor, report, event);
      // An order whose release ended is forgotten (its queued writes keep what they need).
      const ended = event.type === 'transition' && ENDED.has(event.to);
      if (ended && (report.release === undefined || report.release.finished)) orders.delete(workOrderId);
    });
  };
  reporter.idle = async (): Promise<void> => {
    do {
      await runner.idle();
      await ctx.queues.idle();
    } while (runner.pending > 0);
  };
  return reporter;
}
