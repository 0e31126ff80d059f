/**
 * The commands a release runs, stage by stage: the environment's `commands:` over the app's, and a plan's own over
 * both. Whether a plan may set commands at all is the operator's choice (policy `allow_custom_commands`, checked in
 * src/policy); here every stage only learns where its commands come from, so that approvers see it.
 */
import { COMMAND_FIELDS, stagesSetBy } from '../plan/index.ts';
import {
  COMMAND_STAGES,
  type CommandSettings,
  type CommandStage,
  type Plan,
  type PlanCommands,
} from '../plan/types.ts';
import type { AppConfig, EnvironmentConfig } from './types.ts';

/** Where the repo config sets a stage. */
export type ConfigCommandOrigin = 'environment' | 'app';

/** Where a stage's commands come from. */
export type CommandOrigin = ConfigCommandOrigin | 'plan';

/** One stage's origin; a plan's stage that replaces the config's says what it replaced. */
export interface StageOrigin {
  origin: CommandOrigin;
  replaces?: { origin: ConfigCommandOrigin; settings: CommandSettings };
}

/** The repo config's commands for one environment, with where each stage is set. */
export interface ConfigCommands {
  settings: CommandSettings;
  origins: Partial<Record<CommandStage, ConfigCommandOrigin>>;
}

/** What a release runs, and where each stage that someone set comes from (stages nobody set are absent). */
export interface EffectiveCommands {
  commands: PlanCommands;
  origins: Partial<Record<CommandStage, StageOrigin>>;
}

function isSet(settings: CommandSettings | undefined, stage: CommandStage): boolean {
  return settings?.[COMMAND_FIELDS[stage]] !== undefined;
}

/** Copies one stage's value (lists copied, so nothing shares the config's arrays). */
function copyStage<K extends keyof PlanCommands>(
  target: Pick<CommandSettings, K>,
  source: Pick<CommandSettings, K>,
  field: K,
): void {
  const value = source[field];
  if (value === undefined) return;
  target[field] = structuredClone(value);
}

/** Only `stage` of `settings`. */
export function stageSettings(settings: CommandSettings, stage: CommandStage): CommandSettings {
  const only: CommandSettings = {};
  copyStage(only, settings, COMMAND_FIELDS[stage]);
  return only;
}

/** The config's commands for `environment` of `app`: each stage from the environment if it sets it, else the app. */
export function configCommands(app: AppConfig, environment: EnvironmentConfig): ConfigCommands {
  const settings: CommandSettings = {};
  const origins: Partial<Record<CommandStage, ConfigCommandOrigin>> = {};
  for (const stage of COMMAND_STAGES) {
    const from = isSet(environment.commands, stage) ? environment : isSet(app.commands, stage) ? app : undefined;
    if (from?.commands === undefined) continue;
    copyStage(settings, from.commands, COMMAND_FIELDS[stage]);
    origins[stage] = from === environment ? 'environment' : 'app';
  }
  return { settings, origins };
}

/**
 * The config's commands as approved (stored with a plan version, see release-settings.ts). Which of app or
 * environment a stage came from is not stored (moving it between them runs the same): every stage counts as the
 * environment's, as withApprovedSettings puts them.
 */
export function approvedConfigCommands(settings: CommandSettings): ConfigCommands {
  const origins: Partial<Record<CommandStage, ConfigCommandOrigin>> = {};
  for (const stage of COMMAND_STAGES) if (isSet(settings, stage)) origins[stage] = 'environment';
  return { settings, origins };
}

/**
 * Merges a plan's commands over the config's: a stage the plan sets (a list with at least one command, or a probe;
 * see `stagesSetBy`) replaces the config's stage entirely, any other stage runs the config's.
 */
export function mergeCommands(plan: PlanCommands, config: ConfigCommands): EffectiveCommands {
  const commands: PlanCommands = { check: [], preDeploy: [], postDeploy: [], release: [] };
  const origins: Partial<Record<CommandStage, StageOrigin>> = {};
  const fromPlan = new Set(stagesSetBy(plan));
  for (const stage of COMMAND_STAGES) {
    const field = COMMAND_FIELDS[stage];
    const configOrigin = config.origins[stage];
    if (fromPlan.has(stage)) {
      copyStage(commands, plan, field);
      origins[stage] =
        configOrigin === undefined
          ? { origin: 'plan' }
          : { origin: 'plan', replaces: { origin: configOrigin, settings: stageSettings(config.settings, stage) } };
    } else if (configOrigin !== undefined) {
      copyStage(commands, config.settings, field);
      origins[stage] = { origin: configOrigin };
    }
  }
  return { commands, origins };
}

/** The commands a release of `plan` runs under `targets`' app and environment. */
export function effectiveCommands(
  plan: Plan,
  targets: { app: AppConfig; environment: EnvironmentConfig },
): EffectiveCommands {
  return mergeCommands(plan.commands, configCommands(targets.app, targets.environment));
}

/** `plan` with the commands it runs under `targets` in place of its own: what the engine is given. */
export function withEffectiveCommands(plan: Plan, targets: { app: AppConfig; environment: EnvironmentConfig }): Plan {
  return { ...plan, commands: effectiveCommands(plan, targets).commands };
}

const ORIGIN_WORDS: Record<CommandOrigin, string> = {
  environment: "the environment's commands in the repo config",
  app: "the app's commands in the repo config",
  plan: 'the plan',
};

/** Where a stage's commands come from, for people: `from the app's commands in the repo config`, `plan override …`. */
export function describeStageOrigin(origin: StageOrigin): string {
  if (origin.replaces === undefined) return `from ${ORIGIN_WORDS[origin.origin]}`;
  return `plan override: replaces ${ORIGIN_WORDS[origin.replaces.origin]}`;
}
