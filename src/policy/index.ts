/** The operator's policy: what a repository may touch (hosts, executors, artifacts, SSH identity, lane bounds). */
export type {
  ArtifactGrant,
  GrantOrigin,
  HostGrant,
  PolicyFile,
  PolicyRule,
  PolicySource,
  RepoGrant,
} from './types.ts';
export { DEFAULT_MAX_LANE_INSTANCES, DEFAULT_MAX_LANE_TTL_MS, laneLimitsOf } from './limits.ts';
export { parsePolicy, loadPolicyFile } from './parse-policy.ts';
export {
  defaultPolicySource,
  openPolicyFile,
  startPolicy,
  staticPolicySource,
  type PolicyLog,
  type ReloadablePolicy,
  type StartPolicyResult,
} from './policy-source.ts';
export { defaultGrant, describeOrigin, grantFromPolicy } from './repo-grant.ts';
export { hostProblem } from './host-check.ts';
export { artifactProblem, lanesApiPackageRule, localPackageRoots, packageAccess } from './artifact-check.ts';
export { checkPlanAgainstPolicy } from './check-plan.ts';
export { planFieldLocator, unlocated, type PlanFieldLocator, type PlanPlacement } from './plan-locator.ts';
export { policyConnect, PolicyRefusedError, type IdentityConnect, type RepoConnect } from './policy-connect.ts';
export { isPrivateHost } from './private-address.ts';

/** The sealed secret store: secret_env values and webhook keys, per repository and environment. */
export {
  parseSecretsKey,
  secretsKeyFromEnv,
  SecretsKey,
  SECRETS_KEY_VARIABLE,
  type SecretsKeyResult,
} from './secret-key.ts';
export {
  missingSecretIssues,
  requiredSecrets,
  type MissingSecrets,
  type SecretReference,
} from './secret-requirements.ts';
export { describeSecretReadFailure, storeSecretSource } from './secret-source.ts';
export {
  deleteSecret,
  listSecrets,
  putSecret,
  readSecrets,
  SECRET_AUDIT_ACTIONS,
  storedSecretNames,
} from './secret-store.ts';
export { MAX_SECRET_BYTES, parseListScope, parseSecretScope, parseSecretValue } from './secret-scope.ts';
export type { SecretListing, SecretReadResult, SecretScope, SecretSource } from './secret-types.ts';
