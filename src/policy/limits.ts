/** Built-in bounds that apply without a policy file, and the defaults of a rule's optional fields. */
import { DEFAULT_LANE_LIMITS, type LaneLimits } from '../lanes/index.ts';
import type { RepoGrant } from './types.ts';

/** Lanes live at most 72 hours unless the policy says otherwise (the lane library's own default bound). */
export const DEFAULT_MAX_LANE_TTL_MS = DEFAULT_LANE_LIMITS.maxTtlMs;

/** Lane instances one repository may run at once unless the policy says otherwise. */
export const DEFAULT_MAX_LANE_INSTANCES = DEFAULT_LANE_LIMITS.maxInstances;

/** The lane bounds of a repository's grant, as the lane library takes them (a repository with no rule: none). */
export function laneLimitsOf(grant: RepoGrant): LaneLimits {
  return { maxTtlMs: grant.maxLaneTtlMs, maxInstances: grant.maxLaneInstances };
}
