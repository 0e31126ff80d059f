/**
 * src/deploy/: the release engine: rollouts, stages, rollback, inspection.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { clipText } from './clip-text.ts';
export { type HostInventoryReport, inspectEnvironment } from './inspect-environment.ts';
export { type PackageAccess } from './package-source.ts';
export { preflightEnvironment, type PreflightOptions, type PreflightRequest } from './preflight-environment.ts';
export {
  PREFLIGHT_CHECK_TITLES,
  PREFLIGHT_CHECKS,
  type PreflightCheck,
  type PreflightCheckName,
  type PreflightHostReport,
  type PreflightReport,
} from './preflight-types.ts';
export { versionFromLinkTarget } from './release-layout.ts';
export { retryRelease, type RetrySource } from './retry-release.ts';
export {
  type HostRollbackReport,
  rollbackEnvironment,
  type RollbackHooks,
  type RollbackRequest,
  type RollbackResult,
} from './rollback-environment.ts';
export { planBatches } from './rollout-plan.ts';
export { newReleaseId, runRelease } from './run-release.ts';
export { whenStageRuns } from './stage-words.ts';
