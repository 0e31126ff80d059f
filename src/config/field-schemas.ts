/** zod schemas for the scalar fields of the repo config. */
import { z } from 'zod';
import { patternSchema, textSchema } from '../plan/index.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TEAM = /^team:[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const HOST_KEY = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
// Host names and IPv4/IPv6 literals; a leading '-' would read as an ssh option.
const ADDRESS = /^(?!-)[A-Za-z0-9._:%-]{1,253}$/;
const USER = /^[A-Za-z_][A-Za-z0-9._-]{0,31}\$?$/;
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
const SLACK_TEAM = /^T[A-Z0-9]{2,}$/;

const ABSOLUTE_PATH_MESSAGE = 'expected an absolute path like /srv/app';

/**
 * An absolute directory such as `deploy_to`. `..` segments are refused so that a path always names what it says,
 * `/` itself because releases/, shared/ and current would land in the root. A trailing slash is dropped.
 */
export const absolutePathSchema = z.string({ error: ABSOLUTE_PATH_MESSAGE }).transform((path, ctx) => {
  const problem = !path.startsWith('/')
    ? ABSOLUTE_PATH_MESSAGE
    : CONTROL_CHARACTERS.test(path)
      ? 'must not contain control characters (such as a newline or NUL)'
      : path.split('/').includes('..')
        ? 'must not contain ".." segments'
        : /^\/+$/.test(path)
          ? 'cannot be the root directory'
          : undefined;
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: problem, input: path });
    return z.NEVER;
  }
  return path.replace(/\/+$/, '');
});

/** Names of variables passed to commands; `YM_` is Yardmaster's own prefix. */
export const envNameSchema = z
  .string({ error: 'expected a variable name' })
  .regex(ENV_NAME, { error: 'expected a variable name of letters, digits and _, not starting with a digit' })
  .refine((name) => !name.startsWith('YM_'), { error: 'names starting with YM_ are reserved for Yardmaster' });

/**
 * A variable's value. Whole numbers and booleans are taken as written (`PORT: 8080`); fractions are refused because
 * YAML has already changed them (`1.10` is `1.1`), so the author must quote them.
 */
export const envValueSchema = z
  .union([z.string(), z.int(), z.boolean()], { error: 'expected a string; quote values such as "1.10"' })
  .transform((value) => String(value))
  .refine((value) => !value.includes('\0'), { error: 'must not contain a NUL byte' });

/** A GitHub login or `team:slug`. */
export const principalSchema = z
  .string({ error: 'expected a GitHub login or team:slug' })
  .refine((text) => LOGIN.test(text) || TEAM.test(text), { error: 'expected a GitHub login or team:slug' });

/** A list of principals, empty by default. */
export const principalListSchema = z.array(principalSchema, { error: 'expected a list of GitHub logins or team:slug' });

/** An OpenSSH host key fingerprint as `ssh-keygen -lf` prints it. */
export const hostKeySchema = patternSchema(
  HOST_KEY,
  'expected an OpenSSH fingerprint like SHA256:<43 base64 characters>',
);

/** A host name or IP address to connect to. */
export const addressSchema = patternSchema(ADDRESS, 'expected a host name or IP address');

/** A login user on a host. */
export const userSchema = z
  .string({ error: 'expected a user name' })
  .regex(USER, { error: 'expected a user name of letters, digits, ., _ or -' });

/** A Slack member id (`U0123ABC`). */
export const slackUserSchema = patternSchema(SLACK_USER, 'expected a Slack member id like U0123ABCD');

/** A Slack channel id (`C0123ABC`): names change, ids do not, and the Web API takes ids. */
export const slackChannelSchema = patternSchema(SLACK_CHANNEL, 'expected a Slack channel id like C0123ABCD');

/** A Slack workspace (team) id (`T0123ABC`), as slash commands carry it in `team_id`. */
export const slackTeamSchema = patternSchema(SLACK_TEAM, 'expected a Slack workspace id like T0123ABCD');

/** A freeze window; its syntax belongs to the freeze policy, so here it only has to be a non-empty string. */
export const freezeWindowSchema = textSchema('expected a freeze window like "Fri 18:00-Mon 06:00"');
