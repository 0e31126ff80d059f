/** The result of a retried release over the whole release. */
import type { RetrySource } from '../deploy/index.ts';
import type { ReleaseResult } from '../deploy/types.ts';

/**
 * A retry's result over the whole release: hosts the retry did not run keep their earlier outcome, so the stored
 * result (and a later retry) still sees every host.
 */
export function mergeRetryResult(previous: RetrySource, retried: ReleaseResult): ReleaseResult {
  const ran = new Set(retried.hosts.map((host) => host.host));
  const kept = previous.hosts
    .filter((host) => !ran.has(host.host))
    .map((host) => ({ host: host.host, outcome: host.outcome, previousVersion: null, durationMs: 0 }));
  return { ...retried, hosts: [...kept, ...retried.hosts] };
}
