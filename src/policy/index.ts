/** The operator's policy: what a repository may touch (hosts, executors, artifacts, SSH identity, lane bounds). */
export type { ArtifactGrant, GrantOrigin, HostGrant, PolicyFile, PolicyRule, PolicySource, RepoGrant } from './types.ts';
export { DEFAULT_MAX_LANE_INSTANCES, DEFAULT_MAX_LANE_TTL_MS } from './limits.ts';
export { parsePolicy, loadPolicyFile } from './parse-policy.ts';
export { defaultPolicySource, openPolicyFile, startPolicy, staticPolicySource, type PolicyLog, type ReloadablePolicy, type StartPolicyResult } from './policy-source.ts';
export { defaultGrant, describeOrigin, grantFromPolicy } from './repo-grant.ts';
export { hostProblem } from './host-check.ts';
export { artifactProblem, localPackageRoots, packageAccess } from './artifact-check.ts';
export { checkPlanAgainstPolicy } from './check-plan.ts';
export { planFieldLocator, unlocated, type PlanFieldLocator, type PlanPlacement } from './plan-locator.ts';
export { policyConnect, PolicyRefusedError, type IdentityConnect, type RepoConnect } from './policy-connect.ts';
export { isPrivateHost } from './private-address.ts';
