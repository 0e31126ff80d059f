/** Schemas of `apps.<name>` and its `environments.<name>`. */
import { z } from 'zod';
import {
  commandSettingsSchema,
  integerSchema,
  nameListSchema,
  nameSchema,
  transferSchema,
  strictObject,
} from '../plan/index.ts';
import {
  absolutePathSchema,
  envNameSchema,
  envValueSchema,
  freezeWindowSchema,
  principalListSchema,
  slackChannelSchema,
} from './field-schemas.ts';
import { notifySchema } from './notify-schema.ts';
import type { AppConfig, EnvironmentConfig } from './types.ts';

const PRODUCTION_NAMES = new Set(['production', 'prod']);

const environmentFields = strictObject(
  {
    hosts: nameListSchema,
    approvals: integerSchema(0, 100).default(1),
    approvers: principalListSchema.default([]),
    freeze: z.array(freezeWindowSchema, { error: 'expected a list of freeze windows' }).default([]),
    production: z.boolean({ error: 'expected true or false' }).optional(),
    env: z.record(envNameSchema, envValueSchema, { error: 'expected a map of variable names to values' }).default({}),
    secret_env: z.array(envNameSchema, { error: 'expected a list of variable names' }).default([]),
    transfer: transferSchema.optional(),
    slack_channel: slackChannelSchema.optional(),
    preflight: z.enum(['required', 'optional'], { error: 'expected required or optional' }).optional(),
    notify: notifySchema.optional(),
    commands: commandSettingsSchema.optional(),
  },
  'expected an environment: a map with at least hosts',
);

/** An environment's settings; `production` defaults from its name because the name is what people go by. */
function toEnvironment(name: string, fields: z.output<typeof environmentFields>): EnvironmentConfig {
  const environment: EnvironmentConfig = {
    hosts: fields.hosts,
    approvals: fields.approvals,
    approvers: fields.approvers,
    freeze: fields.freeze,
    production: fields.production ?? PRODUCTION_NAMES.has(name.toLowerCase()),
    env: fields.env,
    secretEnv: fields.secret_env,
  };
  if (fields.transfer !== undefined) environment.transfer = fields.transfer;
  if (fields.slack_channel !== undefined) environment.slackChannel = fields.slack_channel;
  if (fields.notify !== undefined) environment.notify = fields.notify;
  if (fields.commands !== undefined) environment.commands = fields.commands;
  if (fields.preflight !== undefined) environment.preflight = fields.preflight;
  return environment;
}

/** `apps.<name>: { project, deploy_to, transfer, commands, environments }`. */
export const appSchema = strictObject(
  {
    project: nameSchema.optional(),
    deploy_to: absolutePathSchema,
    transfer: transferSchema.optional(),
    commands: commandSettingsSchema.optional(),
    environments: z
      .record(nameSchema, environmentFields, { error: 'expected a map of environments' })
      .refine((environments) => Object.keys(environments).length > 0, { error: 'expected at least one environment' }),
  },
  'expected an app: a map with deploy_to and environments',
).transform((fields): AppConfig => {
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, environment] of Object.entries(fields.environments)) {
    environments[name] = toEnvironment(name, environment);
  }
  const app: AppConfig = { deployTo: fields.deploy_to, environments };
  if (fields.project !== undefined) app.project = fields.project;
  if (fields.transfer !== undefined) app.transfer = fields.transfer;
  if (fields.commands !== undefined) app.commands = fields.commands;
  return app;
});
