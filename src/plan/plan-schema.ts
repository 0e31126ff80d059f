/** zod schema of a deployment plan: snake_case YAML in, a camelCase `Plan` out. */
import { z } from 'zod';
import {
  artifactUrlSchema,
  durationSchema,
  integerSchema,
  nameListSchema,
  nameSchema,
  scheduleSchema,
  sha256Schema,
  transferSchema,
  versionSchema,
} from './field-schemas.ts';
import { pullProblem } from './artifact-url.ts';
import { commandsSchema } from './commands-schema.ts';
import { DEFAULT_STRATEGY, strategySchema } from './strategy-schema.ts';
import { strictObject } from './strict-object.ts';
import type { Plan, PlanCommands } from './types.ts';

const DEFAULT_KEEP_RELEASES = 5;
const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;

const packageSchema = strictObject({ url: artifactUrlSchema, sha256: sha256Schema });

const NO_COMMANDS: PlanCommands = { check: [], preDeploy: [], postDeploy: [], release: [] };

/** The whole plan document. Only app, environment, version and package are required. */
export const planSchema = strictObject(
  {
    app: nameSchema,
    environment: nameSchema,
    version: versionSchema,
    rollback_version: versionSchema.optional(),
    package: packageSchema,
    hosts: nameListSchema.optional(),
    strategy: strategySchema.optional(),
    commands: commandsSchema.optional(),
    schedule: scheduleSchema.optional(),
    keep_releases: integerSchema(2, 1_000).default(DEFAULT_KEEP_RELEASES),
    transfer: transferSchema.optional(),
    command_timeout: durationSchema(1).default(DEFAULT_COMMAND_TIMEOUT_MS),
  },
  'expected a plan: a map with app, environment, version and package',
).transform((fields, ctx): Plan => {
  const unpullable = fields.transfer === 'pull' ? pullProblem(fields.package.url) : undefined;
  if (unpullable !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['transfer'], message: unpullable, input: fields.transfer });
    return z.NEVER;
  }
  const plan: Plan = {
    app: fields.app,
    environment: fields.environment,
    version: fields.version,
    package: { url: fields.package.url, sha256: fields.package.sha256 },
    strategy: fields.strategy ?? { ...DEFAULT_STRATEGY },
    commands: fields.commands ?? structuredClone(NO_COMMANDS),
    keepReleases: fields.keep_releases,
    commandTimeoutMs: fields.command_timeout,
  };
  if (fields.rollback_version !== undefined) plan.rollbackVersion = fields.rollback_version;
  if (fields.hosts !== undefined) plan.hosts = fields.hosts;
  if (fields.schedule !== undefined) plan.schedule = fields.schedule;
  if (fields.transfer !== undefined) plan.transfer = fields.transfer;
  return plan;
});
