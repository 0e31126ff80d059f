/** Re-runs a release on the hosts that did not end on it; hosts already released are left alone. */
import { runRelease } from './run-release.ts';
import type { EngineOptions, HostOutcome, HostReport, ReleaseRequest, ReleaseResult } from './types.ts';

/** What a retry needs of an earlier result (a stored one will do). */
export interface RetrySource {
  releaseId: string;
  version: string;
  hosts: Pick<HostReport, 'host' | 'outcome'>[];
}

const RETRIED: ReadonlySet<HostOutcome> = new Set(['failed', 'rolled_back', 'aborted', 'untouched']);

/** The names of the hosts a retry of `result` runs on. */
export function hostsToRetry(result: RetrySource): string[] {
  return result.hosts.filter((report) => RETRIED.has(report.outcome)).map((report) => report.host);
}

/**
 * Retries `previous` with the same release id (so host locks it left behind are taken over) on the hosts
 * that failed, were rolled back, aborted or never reached.
 */
export async function retryRelease(
  previous: RetrySource,
  request: ReleaseRequest,
  options: EngineOptions,
): Promise<ReleaseResult> {
  const wanted = new Set(hostsToRetry(previous));
  return runRelease(
    { ...request, releaseId: previous.releaseId, hosts: request.hosts.filter((host) => wanted.has(host.entry.name)) },
    options,
  );
}
