/**
 * The dashboard's sign-in settings from the environment. `GITHUB_CLIENT_ID` and `GITHUB_CLIENT_SECRET` are the
 * names Probot's manifest flow writes into .env; with neither set the dashboard's sign-in is not configured.
 */
import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import { withoutEmpty } from '../../lib/without-empty.ts';

/** Sign-in settings of a configured dashboard. */
export interface DashboardAuthSettings {
  /** The GitHub App's OAuth client id (`Iv1.…` / `Iv23…`). */
  clientId: string;
  clientSecret: string;
  /** Signs cookies and CSRF tokens and seals stored GitHub tokens. */
  sessionSecret: string;
  /** How long a session lasts. */
  sessionHours: number;
}

/** Settings, `settings: undefined` when sign-in is not configured at all, or one message per problem. */
export type DashboardAuthEnvResult =
  | { ok: true; settings: DashboardAuthSettings | undefined }
  | { ok: false; problems: string[] };

/** Shortest accepted `DASHBOARD_SESSION_SECRET`: 32 characters (e.g. `openssl rand -base64 32` gives 44). */
export const MIN_SESSION_SECRET_LENGTH = 32;

const envSchema = z.object({
  GITHUB_CLIENT_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]+$/, "must be the App's client id")
    .optional(),
  GITHUB_CLIENT_SECRET: z.string().trim().optional(),
  DASHBOARD_SESSION_SECRET: z
    .string()
    .min(MIN_SESSION_SECRET_LENGTH, `must be at least ${MIN_SESSION_SECRET_LENGTH} characters`)
    .optional(),
  DASHBOARD_SESSION_HOURS: z.coerce
    .number()
    .positive('must be more than 0')
    .max(24 * 30, 'must be at most 720 (30 days)')
    .default(8),
});

/** A session secret derived from the App's webhook secret: HKDF-SHA256, info `yardmaster dashboard session`, base64url. */
export function deriveSessionSecret(webhookSecret: string): string {
  return Buffer.from(hkdfSync('sha256', webhookSecret, Buffer.alloc(0), 'yardmaster dashboard session', 32)).toString(
    'base64url',
  );
}

/**
 * Reads the sign-in settings from `env` (normally `process.env`). Without `DASHBOARD_SESSION_SECRET` the secret is
 * derived from `webhookSecret` (see {@link deriveSessionSecret}); without either, a configured client is a problem.
 */
export function parseDashboardAuthEnv(
  env: Readonly<Record<string, string | undefined>>,
  webhookSecret: string | undefined,
): DashboardAuthEnvResult {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  const vars = parsed.data;
  if (vars.GITHUB_CLIENT_ID === undefined && vars.GITHUB_CLIENT_SECRET === undefined)
    return { ok: true, settings: undefined };
  const problems: string[] = [];
  if (vars.GITHUB_CLIENT_ID === undefined)
    problems.push("GITHUB_CLIENT_ID: required when GITHUB_CLIENT_SECRET is set (the App's client id)");
  if (vars.GITHUB_CLIENT_SECRET === undefined)
    problems.push('GITHUB_CLIENT_SECRET: required when GITHUB_CLIENT_ID is set (a client secret of the App)');
  const sessionSecret =
    vars.DASHBOARD_SESSION_SECRET ??
    (webhookSecret === undefined || webhookSecret === '' ? undefined : deriveSessionSecret(webhookSecret));
  if (sessionSecret === undefined)
    problems.push('DASHBOARD_SESSION_SECRET: required when there is no webhook secret to derive it from');
  if (vars.GITHUB_CLIENT_ID === undefined || vars.GITHUB_CLIENT_SECRET === undefined || sessionSecret === undefined)
    return { ok: false, problems };
  return {
    ok: true,
    settings: {
      clientId: vars.GITHUB_CLIENT_ID,
      clientSecret: vars.GITHUB_CLIENT_SECRET,
      sessionSecret,
      sessionHours: vars.DASHBOARD_SESSION_HOURS,
    },
  };
}
