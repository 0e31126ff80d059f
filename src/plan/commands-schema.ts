/**
 * Schemas of `commands:`, shared by the plan and the repo config (an app's or environment's `commands:`): the same
 * stages, the same limits, the same messages wherever commands are written.
 */
import { commandListSchema } from './field-schemas.ts';
import { healthSchema, monitorSchema } from './probe-schema.ts';
import { strictObject } from './strict-object.ts';
import { COMMAND_STAGES, type CommandSettings, type CommandStage, type PlanCommands } from './types.ts';

/** `commands: { check, pre_deploy, post_deploy, release, health, monitor }`, each optional, as written (snake_case). */
export const commandFieldsSchema = strictObject({
  check: commandListSchema.optional(),
  pre_deploy: commandListSchema.optional(),
  post_deploy: commandListSchema.optional(),
  release: commandListSchema.optional(),
  health: healthSchema.optional(),
  monitor: monitorSchema.optional(),
});

/** A plan's `commands:`: every stage the plan leaves out runs no commands of the plan (empty lists, no probes). */
export const commandsSchema = commandFieldsSchema.transform((fields): PlanCommands => {
  const commands: PlanCommands = {
    check: fields.check ?? [],
    preDeploy: fields.pre_deploy ?? [],
    postDeploy: fields.post_deploy ?? [],
    release: fields.release ?? [],
  };
  if (fields.health !== undefined) commands.health = fields.health;
  if (fields.monitor !== undefined) commands.monitor = fields.monitor;
  return commands;
});

/** The repo config's `commands:`: only the stages it names (an empty list is set too: it runs nothing). */
export const commandSettingsSchema = commandFieldsSchema.transform((fields): CommandSettings => {
  const settings: CommandSettings = {};
  if (fields.check !== undefined) settings.check = fields.check;
  if (fields.pre_deploy !== undefined) settings.preDeploy = fields.pre_deploy;
  if (fields.post_deploy !== undefined) settings.postDeploy = fields.post_deploy;
  if (fields.release !== undefined) settings.release = fields.release;
  if (fields.health !== undefined) settings.health = fields.health;
  if (fields.monitor !== undefined) settings.monitor = fields.monitor;
  return settings;
});

/** The `PlanCommands` field of each stage key. */
export const COMMAND_FIELDS = {
  check: 'check',
  pre_deploy: 'preDeploy',
  post_deploy: 'postDeploy',
  release: 'release',
  health: 'health',
  monitor: 'monitor',
} as const satisfies Record<CommandStage, keyof PlanCommands>;

/**
 * The stages a plan's commands set: a list with at least one command, or a health or monitor probe. A plan's parsed
 * form cannot tell `pre_deploy: []` from leaving the key out (both are the empty list every plan digest has been
 * computed over), so an empty list sets nothing.
 */
export function stagesSetBy(commands: PlanCommands): CommandStage[] {
  return COMMAND_STAGES.filter((stage) => {
    const value = commands[COMMAND_FIELDS[stage]];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
}
