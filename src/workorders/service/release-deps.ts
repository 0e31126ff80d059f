/** What the order lifecycle needs from the worker that runs releases: its identity, lease, clock and sources. */
import type { RepoConfig } from '../../config/types.ts';
import type { SecretSource } from '../../policy/index.ts';
import type { ServiceDeps } from './types.ts';

/** Where the worker gets an order's repo config: `.github/yardmaster.yml` of the default branch, as it is now. */
export type ConfigLoader = (repo: {
  repoFullName: string;
  installationId: number;
}) => Promise<{ ok: true; config: RepoConfig } | { ok: false; message: string }>;

/** The service's collaborators plus what starting, finishing and recovering a release needs. */
export interface ReleaseDeps extends ServiceDeps {
  loadConfig: ConfigLoader;
  /** Where `secret_env` values come from: the secret store, never the process's environment. */
  secrets: SecretSource;
  /** The worker, e.g. `host:pid:uuid`: the environment lock's owner while it runs a release. */
  workerId: string;
  /** How long the environment lock stays held without a heartbeat. */
  leaseMs: number;
  /** How soon an order that found the environment locked tries again. */
  waitRetryMs: number;
  now: () => Date;
}

/** The claim of `deps`' worker on an order's environment lock. */
export function lockClaim(
  deps: Pick<ReleaseDeps, 'workerId' | 'leaseMs'>,
  workOrderId: number,
): { workOrderId: number; owner: string; leaseMs: number } {
  return { workOrderId, owner: deps.workerId, leaseMs: deps.leaseMs };
}
