/**
 * The server's environment, validated with zod before anything starts. With no `APP_ID` the server runs Probot's
 * setup flow (register the App from app.yml); with one, the App's credentials are all required.
 */
import { z } from 'zod';
import { withoutEmpty } from '../lib/without-empty.ts';

/** Where the App's private key comes from. */
export type PrivateKeySource = { kind: 'inline'; text: string } | { kind: 'file'; path: string };

/** Log levels pino knows. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Settings shared by both modes. */
interface CommonConfig {
  port: number;
  /** Listen address; absent = every interface. */
  host: string | undefined;
  logLevel: LogLevel;
}

/** The server's configuration: setup flow (no App yet) or a configured App. */
export type ServerConfig =
  | (CommonConfig & { mode: 'setup' })
  | (CommonConfig & {
      mode: 'app';
      appId: number;
      privateKey: PrivateKeySource;
      webhookSecret: string;
      webhookPath: string;
      /** GitHub's REST API root (GitHub Enterprise, or a fake in tests). */
      githubApiUrl: string;
    });

/** The parsed environment, or one message per problem. */
export type ServerEnvResult = { ok: true; config: ServerConfig } | { ok: false; problems: string[] };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  APP_ID: z
    .string()
    .regex(/^[1-9]\d*$/, "must be the App's numeric id")
    .transform(Number)
    .optional(),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string().optional(),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\/\S*$/, 'must be a path starting with /')
    .default('/api/github/webhooks'),
  GITHUB_API_URL: z.url({ protocol: /^https?$/ }).optional(),
});

/** Reads the server's settings from `env` (normally `process.env`). */
export function parseServerEnv(env: Readonly<Record<string, string | undefined>>): ServerEnvResult {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  const vars = parsed.data;
  const common: CommonConfig = { port: vars.PORT, host: vars.HOST, logLevel: vars.LOG_LEVEL };
  if (vars.APP_ID === undefined) return { ok: true, config: { ...common, mode: 'setup' } };
  const problems: string[] = [];
  let privateKey: PrivateKeySource | undefined;
  if (vars.PRIVATE_KEY !== undefined && vars.PRIVATE_KEY_PATH !== undefined) {
    problems.push('PRIVATE_KEY, PRIVATE_KEY_PATH: set one of them, not both');
  } else if (vars.PRIVATE_KEY !== undefined) {
    privateKey = { kind: 'inline', text: vars.PRIVATE_KEY };
  } else if (vars.PRIVATE_KEY_PATH !== undefined) {
    privateKey = { kind: 'file', path: vars.PRIVATE_KEY_PATH };
  } else {
    problems.push('PRIVATE_KEY or PRIVATE_KEY_PATH: required when APP_ID is set');
  }
  if (vars.WEBHOOK_SECRET === undefined)
    problems.push("WEBHOOK_SECRET: required when APP_ID is set (the secret of the App's webhook)");
  if (privateKey === undefined || vars.WEBHOOK_SECRET === undefined) return { ok: false, problems };
  return {
    ok: true,
    config: {
      ...common,
      mode: 'app',
      appId: vars.APP_ID,
      privateKey,
      webhookSecret: vars.WEBHOOK_SECRET,
      webhookPath: vars.WEBHOOK_PATH,
      githubApiUrl: (vars.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    },
  };
}
