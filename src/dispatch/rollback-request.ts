/** The standalone-rollback request for some hosts of a prepared run, sent back to one version. */
import type { ResolvedHost } from '../config/types.ts';
import type { RollbackHooks, RollbackRequest } from '../deploy/index.ts';
import type { PreparedRun } from '../workorders/service/index.ts';

/**
 * The request for `hosts` of `prepared`, back to `to`, running the approved post_deploy of that version
 * (approved-hooks.ts), never the hooks recorded on the hosts.
 */
export function rollbackRequestFor(
  prepared: PreparedRun,
  hosts: ResolvedHost[],
  to: string,
  hooks: Extract<RollbackHooks, { from: 'approved' }>,
  extra: Pick<RollbackRequest, 'signal' | 'breakLock'> = {},
): RollbackRequest {
  return {
    app: prepared.plan.app,
    environment: prepared.plan.environment,
    environmentConfig: prepared.environment,
    hosts,
    to,
    hooks,
    secrets: prepared.secrets,
    commandTimeoutMs: prepared.plan.commandTimeoutMs,
    ...extra,
  };
}
