/**
 * Slack's settings from the server's environment: none (Slack off), HTTP mode (events at `/slack/events` on the
 * main server, verified with the signing secret) or Socket Mode when `SLACK_APP_TOKEN` is set.
 */
import { z } from 'zod';
import { withoutEmpty } from '../lib/without-empty.ts';

export type SlackSettings =
  | { enabled: false }
  | {
      enabled: true;
      botToken: string;
      /** Verifies HTTP requests; empty in Socket Mode, which takes none. */
      signingSecret: string;
      /** Socket Mode instead of HTTP (an `xapp-` token). */
      appToken: string | undefined;
      /** Slack's Web API root (a local recorder in tests). */
      apiUrl: string;
    };

const slackEnvSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
    .optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).optional(),
});

type SlackVars = z.infer<typeof slackEnvSchema>;

function readSlackVars(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; vars: SlackVars } | { ok: false; problems: string[] } {
  const parsed = slackEnvSchema.safeParse(withoutEmpty(env));
  if (!parsed.success)
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  return { ok: true, vars: parsed.data };
}

function apiUrlOf(url: string | undefined): string {
  const root = url ?? 'https://slack.com/api/';
  return root.endsWith('/') ? root : `${root}/`;
}

/** Reads the Slack settings; problems name the variable, never its value. */
export function parseSlackEnv(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; settings: SlackSettings } | { ok: false; problems: string[] } {
  const parsed = readSlackVars(env);
  if (!parsed.ok) return parsed;
  const { vars } = parsed;
  if (
    vars.SLACK_BOT_TOKEN === undefined &&
    vars.SLACK_SIGNING_SECRET === undefined &&
    vars.SLACK_APP_TOKEN === undefined
  )
    return { ok: true, settings: { enabled: false } };
  if (vars.SLACK_BOT_TOKEN === undefined)
    return { ok: false, problems: ['SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set'] };
  // Socket Mode takes no HTTP requests from Slack, so nothing needs the signing secret then.
  if (vars.SLACK_SIGNING_SECRET === undefined && vars.SLACK_APP_TOKEN === undefined) {
    return {
      ok: false,
      problems: [
        'SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN (requests are verified with it)',
      ],
    };
  }
  return {
    ok: true,
    settings: {
      enabled: true,
      botToken: vars.SLACK_BOT_TOKEN,
      signingSecret: vars.SLACK_SIGNING_SECRET ?? '',
      appToken: vars.SLACK_APP_TOKEN,
      apiUrl: apiUrlOf(vars.SLACK_API_URL),
    },
  };
}

/**
 * What a `yardmaster worker` needs to report to Slack: the bot token only (it takes no requests from Slack).
 * `bot` is undefined when Slack is off.
 */
export function parseSlackBotEnv(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; bot: { botToken: string; apiUrl: string } | undefined } | { ok: false; problems: string[] } {
  const parsed = readSlackVars(env);
  if (!parsed.ok) return parsed;
  const token = parsed.vars.SLACK_BOT_TOKEN;
  return {
    ok: true,
    bot: token === undefined ? undefined : { botToken: token, apiUrl: apiUrlOf(parsed.vars.SLACK_API_URL) },
  };
}
