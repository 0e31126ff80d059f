/** zod schema of `.github/yardmaster.yml`: snake_case YAML in, a camelCase `RepoConfig` out. */
import { z } from 'zod';
import { nameSchema, strictObject } from '../plan/index.ts';
import { appSchema } from './app-schema.ts';
import { crossCheckConfig } from './config-cross-checks.ts';
import { slackChannelSchema, slackTeamSchema, slackUserSchema } from './field-schemas.ts';
import { hostGroupSchema } from './host-schema.ts';
import { emailSchema } from './notify-schema.ts';
import { projectSchema } from './project-schema.ts';
import { rolesSchema } from './roles-schema.ts';
import type { RepoConfig, RolesConfig, SlackConfig } from './types.ts';

const NO_ROLES: RolesConfig = { projectManager: [], developer: [], ops: [], deployer: [], acceptor: [] };

const slackSchema = strictObject({
  team: slackTeamSchema.optional(),
  channel: slackChannelSchema.optional(),
  users: z
    .record(z.string(), slackUserSchema, { error: 'expected a map of GitHub logins to Slack member ids' })
    .default({}),
}).transform((fields): SlackConfig => {
  const slack: SlackConfig = { users: fields.users };
  if (fields.team !== undefined) slack.team = fields.team;
  if (fields.channel !== undefined) slack.channel = fields.channel;
  return slack;
});

const emailUsersSchema = strictObject({
  users: z
    .record(z.string(), emailSchema, { error: 'expected a map of GitHub logins to e-mail addresses' })
    .default({}),
});

/** The whole repo config, including the checks that span fields (host references, unique host names). */
export const repoConfigSchema = strictObject(
  {
    apps: z.record(nameSchema, appSchema, { error: 'expected a map of apps' }).default({}),
    hosts: z.record(nameSchema, hostGroupSchema, { error: 'expected a map of host groups' }).default({}),
    roles: rolesSchema.optional(),
    projects: z.record(nameSchema, projectSchema, { error: 'expected a map of projects' }).default({}),
    slack: slackSchema.optional(),
    email: emailUsersSchema.optional(),
  },
  'expected a Yardmaster config: a map with apps, hosts and roles',
).transform((fields, ctx): RepoConfig => {
  const config: RepoConfig = {
    apps: fields.apps,
    hosts: fields.hosts,
    roles: fields.roles ?? structuredClone(NO_ROLES),
    projects: fields.projects,
  };
  if (fields.slack !== undefined) config.slack = fields.slack;
  if (fields.email !== undefined) config.email = fields.email;
  const problems = crossCheckConfig(config);
  for (const { path, message } of problems) ctx.addIssue({ code: 'custom', path, message, input: undefined });
  return problems.length > 0 ? z.NEVER : config;
});
