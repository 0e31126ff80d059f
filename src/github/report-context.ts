/**
 * What every part of the GitHub reporter shares: where links point, the log, the database (behind ReportStore), the
 * write queue of each installation, and `call`, which retries a GitHub call through the shared retry helper and logs
 * it when it finally fails (reporting never throws into the worker).
 */
import { retry } from '../lib/retry.ts';
import { httpStatusOf } from './octokit-slice.ts';
import type { ReportStore } from './report-store.ts';
import type { WriteQueues } from './write-queue.ts';

export interface ReporterLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface ReportContext {
  publicUrl: string;
  log: ReporterLog;
  store: ReportStore;
  queues: WriteQueues;
  /** Least time between two output refreshes of one check run. */
  refreshIntervalMs: number;
  /** How long a stage runs before its check run is shown running (see GitHubReporterOptions). */
  liveAfterMs: number;
  /** How long labels and comments wait, so that the state changes coming with them go first. */
  noteDelayMs: number;
  /** Runs `task` beside the order's events (in order with other tasks of `key`): a slow read they need not wait for. */
  beside(key: string, task: () => Promise<void>): void;
  /** Runs a GitHub call with retries; `undefined` (logged) when it failed. */
  call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined>;
}

/** A failure that may pass: no HTTP answer, 5xx, or 429. */
export function retriableGitHubError(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === undefined || status >= 500 || status === 429;
}

export function githubCaller(log: ReporterLog, attempts: number): ReportContext['call'] {
  return async (what, fn) => {
    try {
      return await retry(fn, { attempts, retriable: retriableGitHubError });
    } catch (error) {
      log.warn({ err: error, what }, 'GitHub report failed');
      return undefined;
    }
  };
}
