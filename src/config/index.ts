/**
 * src/config/: the repo config: schemas, loading, host resolution.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export {
  CONFIG_CHANGE_KINDS,
  type ConfigChange,
  type ConfigChangeKind,
  diffConfigs,
} from './diff-configs.ts';
export {
  approvedConfigCommands,
  type CommandOrigin,
  type ConfigCommandOrigin,
  describeStageOrigin,
  effectiveCommands,
  type EffectiveCommands,
  mergeCommands,
  type StageOrigin,
  withEffectiveCommands,
} from './effective-commands.ts';
export { absolutePathSchema, envNameSchema } from './field-schemas.ts';
export { findEnvironment } from './find-environment.ts';
export { formatConfigChangesMarkdown, formatConfigChangesText } from './format-config-changes.ts';
export { hostEntrySchema } from './host-schema.ts';
export { loadRepoConfigFile } from './load-config.ts';
export { parseRepoConfig } from './parse-config.ts';
export { pinHostKeys, type PinHostKeysResult } from './pin-host-keys.ts';
export { notifyConfigsFor, rolesForApp } from './project-roles.ts';
export {
  describeSettingsChanges,
  releaseSettings,
  type ReleaseSettings,
  releaseSettingsRecord,
  releaseSettingsSchema,
  withApprovedSettings,
} from './release-settings.ts';
export { type EnvironmentTargets, resolveEnvironmentTargets } from './resolve-environment.ts';
export { type ResolvedTargets, resolvePlanTargets } from './resolve-hosts.ts';
export { readSecretEnv } from './secret-env.ts';
