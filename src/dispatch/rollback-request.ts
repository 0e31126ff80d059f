/** The standalone-rollback request for some hosts of a prepared run, sent back to one version. */
import type { ResolvedHost } from '../config/types.ts';
import type { RollbackRequest } from '../deploy/rollback-environment.ts';
import type { PreparedRun } from './prepare-run.ts';

export function rollbackRequestFor(
  prepared: PreparedRun,
  hosts: ResolvedHost[],
  to: string,
  extra: Pick<RollbackRequest, 'signal' | 'breakLock'> = {},
): RollbackRequest {
  return {
    app: prepared.plan.app,
    environment: prepared.plan.environment,
    environmentConfig: prepared.environment,
    hosts,
    to,
    secrets: prepared.secrets,
    commandTimeoutMs: prepared.plan.commandTimeoutMs,
    ...extra,
  };
}
