/**
 * Slack's settings from the server's environment: none (Slack off), HTTP mode (events at `/slack/events` on the
 * main server, verified with the signing secret) or Socket Mode when `SLACK_APP_TOKEN` is set.
 */
import { z } from 'zod';

export type SlackSettings =
  | { enabled: false }
  | {
      enabled: true;
      botToken: string;
      signingSecret: string;
      /** Socket Mode instead of HTTP (an `xapp-` token). */
      appToken: string | undefined;
      /** Slack's Web API root (a local recorder in tests). */
      apiUrl: string;
    };

const slackEnvSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-…)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token (xapp-…)').optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).optional(),
});

/** Reads the Slack settings; problems name the variable, never its value. */
export function parseSlackEnv(env: Readonly<Record<string, string | undefined>>): { ok: true; settings: SlackSettings } | { ok: false; problems: string[] } {
  const present = Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('SLACK_') && value !== undefined && value.trim() !== ''));
  const parsed = slackEnvSchema.safeParse(present);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  const vars = parsed.data;
  if (vars.SLACK_BOT_TOKEN === undefined && vars.SLACK_SIGNING_SECRET === undefined) return { ok: true, settings: { enabled: false } };
  if (vars.SLACK_BOT_TOKEN === undefined) return { ok: false, problems: ['SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET is set'] };
  if (vars.SLACK_SIGNING_SECRET === undefined) return { ok: false, problems: ['SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set (requests are verified with it)'] };
  const apiUrl = vars.SLACK_API_URL ?? 'https://slack.com/api/';
  return {
    ok: true,
    settings: { enabled: true, botToken: vars.SLACK_BOT_TOKEN, signingSecret: vars.SLACK_SIGNING_SECRET, appToken: vars.SLACK_APP_TOKEN, apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` },
  };
}
