/**
 * `yardmaster secrets set|list|delete`: the operator manages the secret store — the only place the server takes
 * `secret_env` values and notify webhook keys from. A value is read from stdin (hidden on a terminal), never from
 * the command line, where `ps` and shell history would keep it; nothing prints a value back.
 */
import { userInfo } from 'node:os';
import type { Database } from '../../db/types.ts';
import { migrateDatabase } from '../../db/index.ts';
import {
  deleteSecret,
  listSecrets,
  MAX_SECRET_BYTES,
  parseListScope,
  parseSecretScope,
  parseSecretValue,
  putSecret,
  secretsKeyFromEnv,
  SECRETS_KEY_VARIABLE,
  type SecretScope,
} from '../../policy/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { SECRETS_USAGE } from '../command-usage.ts';
import { describeCliError, installCliAuditKey, openCliDatabase } from '../open-cli-database.ts';
import { parseCliArgs } from '../parse-cli-args.ts';

const FLAGS = {
  repo: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean', default: false },
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

function invalid(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n\n${SECRETS_USAGE}\n`);
  return EXIT_INVALID;
}

/** Who is recorded as having set or deleted a secret: the operator's login on this machine. */
function operator(io: CliIo): string {
  const name = io.env.USER ?? io.env.LOGNAME ?? safeUserName();
  return `cli:${name}`;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Opens and migrates the database (the store's table may be newer than the server that last ran), then runs `work`. */
async function withDatabase(
  values: { 'database-url'?: string | undefined; 'data-dir'?: string | undefined },
  io: CliIo,
  work: (database: Database) => Promise<number>,
): Promise<number> {
  const database = await openCliDatabase(values, io);
  if (typeof database === 'string') {
    io.stderr.write(`${database}\n`);
    return EXIT_INVALID;
  }
  try {
    const keyProblem = await installCliAuditKey(database, io);
    if (keyProblem !== undefined) return invalid(io, keyProblem);
    await migrateDatabase(database);
    return await work(database);
  } catch (error) {
    io.stderr.write(`cannot use the secret store: ${describeCliError(error)}\n`);
    return EXIT_INVALID;
  } finally {
    await database.close();
  }
}

async function setCommand(
  scope: SecretScope,
  display: string,
  values: { 'database-url'?: string | undefined; 'data-dir'?: string | undefined },
  io: CliIo,
): Promise<number> {
  const key = secretsKeyFromEnv(io.env);
  if (key === undefined)
    return invalid(
      io,
      `${SECRETS_KEY_VARIABLE} is not set: it must be the server's key, so that the server can open what is sealed here`,
    );
  if (!key.ok) return invalid(io, key.message);
  if (io.readSecret === undefined) return invalid(io, 'no standard input to read the value from');
  let raw: Buffer | 'too-large';
  try {
    raw = await io.readSecret(
      `value of ${scope.name} for ${display} (${scope.environment}), input hidden: `,
      MAX_SECRET_BYTES + 2,
    );
  } catch (error) {
    return invalid(io, `no value read: ${describeCliError(error)}`);
  }
  const value =
    raw === 'too-large'
      ? { ok: false as const, message: `the value is larger than ${MAX_SECRET_BYTES} bytes` }
      : parseSecretValue(raw);
  if (!value.ok) return invalid(io, value.message);
  return withDatabase(values, io, async (database) => {
    const { created } = await putSecret(database.db, key.key, scope, value.value, operator(io));
    io.stdout.write(`${created ? 'added' : 'replaced'} secret ${scope.name} of ${display} (${scope.environment})\n`);
    return EXIT_OK;
  });
}

/** Runs `yardmaster secrets <subcommand>`. */
export async function secretsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('secrets', args, FLAGS);
  if (!parsed.ok) return invalid(io, parsed.message);
  const [subcommand, ...names] = parsed.positionals;
  const { repo, env } = parsed.values;
  if (subcommand !== 'set' && subcommand !== 'list' && subcommand !== 'delete')
    return invalid(io, 'secrets needs a subcommand: set, list or delete');
  if (repo === undefined) return invalid(io, '--repo owner/name is required');

  if (subcommand === 'list') {
    if (names.length > 0) return invalid(io, 'list takes no NAME');
    const check = parseListScope(repo, env);
    if (!check.ok) return invalid(io, check.message);
    return withDatabase(parsed.values, io, async (database) => {
      const rows = await listSecrets(database.db, check.repo, check.environment);
      if (parsed.values.json) {
        io.stdout.write(
          `${JSON.stringify(rows.map((row) => ({ environment: row.environment, name: row.name, set_at: row.updatedAt.toISOString(), set_by: row.setBy })))}\n`,
        );
      } else if (rows.length === 0) {
        io.stdout.write(`no secrets for ${repo}${env === undefined ? '' : ` (${env})`}\n`);
      } else {
        const width = Math.max(...rows.map((row) => row.environment.length), 'ENVIRONMENT'.length);
        const nameWidth = Math.max(...rows.map((row) => row.name.length), 'NAME'.length);
        io.stdout.write(
          `${'ENVIRONMENT'.padEnd(width)}  ${'NAME'.padEnd(nameWidth)}  SET AT                    SET BY\n`,
        );
        for (const row of rows)
          io.stdout.write(
            `${row.environment.padEnd(width)}  ${row.name.padEnd(nameWidth)}  ${row.updatedAt.toISOString().padEnd(24)}  ${row.setBy}\n`,
          );
      }
      return EXIT_OK;
    });
  }

  if (env === undefined) return invalid(io, `--env <environment> is required for ${subcommand}`);
  const [name, ...extra] = names;
  if (name === undefined || extra.length > 0)
    return invalid(
      io,
      `${subcommand} takes exactly one NAME${name === undefined ? '' : ' (the value is read from stdin, never from the command line)'}`,
    );
  const scope = parseSecretScope({ repo, environment: env, name });
  if (!scope.ok) return invalid(io, scope.message);
  if (subcommand === 'set') return setCommand(scope.scope, repo, parsed.values, io);
  return withDatabase(parsed.values, io, async (database) => {
    const removed = await deleteSecret(database.db, scope.scope, operator(io));
    if (!removed) {
      io.stderr.write(`no secret ${name} for ${repo} (${env})\n`);
      return EXIT_FAILED;
    }
    io.stdout.write(`deleted secret ${name} of ${repo} (${env})\n`);
    return EXIT_OK;
  });
}
