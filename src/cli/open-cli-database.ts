/** The server's database as an operator's command opens it: --database-url, else DATABASE_URL, else the embedded one. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AuditKey,
  AUDIT_KEY_VARIABLE,
  installAuditKey,
  resolveAuditKey,
  openDatabase,
  defaultDataDir,
} from '../db/index.ts';
import type { Database } from '../db/types.ts';
import type { CliIo } from './cli-io.ts';

/** The first line of an error and its cause: enough to act on, without a stack. */
export function describeCliError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message.split('\n')[0] ?? message}${cause}`;
}

/**
 * Opens the database the server uses, or says why not. An embedded data directory must already exist (unless
 * `createEmbedded`): opening a missing one would create an empty database and act on it as if it were the server's.
 */
export async function openCliDatabase(
  values: { 'database-url'?: string | undefined; 'data-dir'?: string | undefined },
  io: CliIo,
  options: { createEmbedded?: boolean } = {},
): Promise<Database | string> {
  const url = values['database-url'] ?? io.env.DATABASE_URL;
  try {
    if (url !== undefined && url !== '') return await openDatabase({ url });
    const dataDir =
      values['data-dir'] === undefined
        ? defaultDataDir(io.env, io.env.HOME ?? homedir())
        : resolve(io.cwd, values['data-dir']);
    if (options.createEmbedded !== true && !existsSync(join(dataDir, 'PG_VERSION')))
      return `no embedded database at ${dataDir} (give --database-url or --data-dir)`;
    return await openDatabase({ dataDir });
  } catch (error) {
    return `cannot open the database: ${describeCliError(error)}`;
  }
}

/** The server's audit key for this database (YARDMASTER_AUDIT_KEY, or the embedded database's key file), or why not. */
export async function cliAuditKey(database: Database, io: CliIo): Promise<AuditKey | null | string> {
  const place =
    database.kind === 'postgres'
      ? { kind: 'postgres' as const }
      : { kind: 'pglite' as const, dataDir: database.dataDir };
  const resolved = await resolveAuditKey(io.env, place, { createFile: false });
  return resolved.ok ? resolved.key : resolved.problem;
}

/**
 * Makes this command's audit rows keyed like the server's (else the chain would break at them); says on stderr when
 * there is no key. Returns why the key cannot be read, if it cannot.
 */
export async function installCliAuditKey(database: Database, io: CliIo): Promise<string | undefined> {
  const key = await cliAuditKey(database, io);
  if (typeof key === 'string') return key;
  installAuditKey(key);
  if (key === null)
    io.stderr.write(`warning: ${AUDIT_KEY_VARIABLE} is not set: this command's audit rows are not keyed\n`);
  return undefined;
}
