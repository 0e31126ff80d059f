/**
 * The process settings shared by the server and `yardmaster worker`: database, workers, SSH identity, repo config
 * source and file locations. Validated with zod before anything opens; unset and empty mean the same.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { withoutEmpty } from '../lib/without-empty.ts';
import { defaultDataDir } from '../db/index.ts';
import { parseSecretsKey, SECRETS_KEY_VARIABLE, type SecretsKey } from '../policy/index.ts';

/** Where the database is: PostgreSQL at a URL, or the embedded PGlite in a data directory. */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/** The validated settings. */
export interface RuntimeConfig {
  database: DatabaseTarget;
  /** Releases this process runs at once (`YARDMASTER_WORKERS`); 0 = no worker in this process. */
  workers: number;
  /** A repo config file used for every order (`YARDMASTER_CONFIG`); absent = the order's repository on GitHub. */
  configFile: string | undefined;
  /** Accept (and log) host keys that the config does not pin; never by default. */
  acceptNewHostKeys: boolean;
  /** Where relative package paths are looked up. */
  artifactsDir: string;
  /** Where downloaded packages are cached by sha256. */
  cacheDir: string;
  /** Base URL people open to see an order (deployment `log_url`, links in comments). */
  publicUrl: string | undefined;
  /** The operator's policy file (`YARDMASTER_POLICY`); absent = the built-in defaults. */
  policyFile: string | undefined;
  /** How often idle workers poll the queue (NOTIFY wakes them sooner for new jobs; the poll starts scheduled ones). */
  pollSeconds: number;
  /** Opens the secret store (`YARDMASTER_SECRETS_KEY`); absent = no secrets: environments naming one cannot run. */
  secretsKey: SecretsKey | undefined;
  /**
   * How long a server's claim on a subject's deliveries, and on a periodic job, lasts unless renewed
   * (`YARDMASTER_LEASE_SECONDS`, default 30): a server that dies loses them this long after its last renewal.
   */
  leaseMs: number;
}

/** The parsed settings, or one message per problem. */
export type RuntimeEnvResult = { ok: true; config: RuntimeConfig } | { ok: false; problems: string[] };

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', '1', 'yes'].includes(value));

const envSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  YARDMASTER_DATA_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
  YARDMASTER_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  YARDMASTER_CONFIG: z.string().optional(),
  YARDMASTER_ACCEPT_NEW_HOST_KEYS: flag.default(false),
  YARDMASTER_ARTIFACTS_DIR: z.string().optional(),
  YARDMASTER_CACHE_DIR: z.string().optional(),
  YARDMASTER_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  YARDMASTER_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  YARDMASTER_SECRETS_KEY: z
    .string()
    .transform((raw, ctx) => {
      const parsed = parseSecretsKey(raw);
      if (parsed.ok) return parsed.key;
      // The message says what is expected, never the value; the variable's name is already the problem's prefix.
      ctx.addIssue({
        code: 'custom',
        message: parsed.message.replace(`${SECRETS_KEY_VARIABLE} `, ''),
        input: '[redacted]',
      });
      return z.NEVER;
    })
    .optional(),
  YARDMASTER_POLICY: z.string().optional(),
  YARDMASTER_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(30),
});

/** `$XDG_CACHE_HOME/yardmaster`, else `~/.cache/yardmaster`. */
function defaultCacheDir(env: Readonly<Record<string, string>>): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg?.startsWith('/') ? xdg : join(env.HOME ?? homedir(), '.cache'), 'yardmaster');
}

/** Reads the runtime settings from `env` (normally `process.env`); relative paths are taken from `cwd`. */
export function parseRuntimeEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): RuntimeEnvResult {
  const kept = withoutEmpty(env);
  const parsed = envSchema.safeParse(kept);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  const vars = parsed.data;
  const cacheDir = vars.YARDMASTER_CACHE_DIR ?? defaultCacheDir(kept);
  return {
    ok: true,
    config: {
      database:
        vars.DATABASE_URL === undefined
          ? { kind: 'pglite', dataDir: vars.YARDMASTER_DATA_DIR ?? defaultDataDir(env, kept.HOME ?? homedir()) }
          : { kind: 'postgres', url: vars.DATABASE_URL },
      workers: vars.YARDMASTER_WORKERS,
      configFile:
        vars.YARDMASTER_CONFIG === undefined
          ? undefined
          : join(vars.YARDMASTER_CONFIG.startsWith('/') ? '' : cwd, vars.YARDMASTER_CONFIG),
      acceptNewHostKeys: vars.YARDMASTER_ACCEPT_NEW_HOST_KEYS,
      artifactsDir: vars.YARDMASTER_ARTIFACTS_DIR ?? join(cacheDir, 'artifacts'),
      cacheDir: join(cacheDir, 'packages'),
      publicUrl: vars.YARDMASTER_PUBLIC_URL?.replace(/\/+$/, ''),
      pollSeconds: vars.YARDMASTER_POLL_SECONDS,
      secretsKey: vars.YARDMASTER_SECRETS_KEY,
      leaseMs: Math.round(vars.YARDMASTER_LEASE_SECONDS * 1000),
      policyFile:
        vars.YARDMASTER_POLICY === undefined
          ? undefined
          : join(vars.YARDMASTER_POLICY.startsWith('/') ? '' : cwd, vars.YARDMASTER_POLICY),
    },
  };
}
