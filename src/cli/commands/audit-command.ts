/** `yardmaster audit verify`: checks the audit log's hash chain, row by row, on the server's database. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyAuditChain, type AuditChainBreak, type AuditChainResult } from '../../db/audit-log.ts';
import { openDatabase } from '../../db/client.ts';
import { defaultDataDir } from '../../db/default-data-dir.ts';
import type { Database } from '../../db/types.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { parseCliArgs } from '../parse-cli-args.ts';

export const AUDIT_USAGE =
  'usage: yardmaster audit verify [--database-url <url>] [--data-dir <dir>] [--json]   (exit 0 intact, 1 broken, 2 cannot check)';

const BREAK_MEANING: Record<AuditChainBreak, string> = {
  'hash-mismatch': 'the row no longer matches its hash: it was changed after it was written',
  'broken-link': 'the row does not follow the one before it: a row was removed or inserted',
};

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message.split('\n')[0] ?? message}${cause}`;
}

function formatResult(result: AuditChainResult): string {
  if (result.ok) {
    return result.head === null
      ? 'audit log intact: no rows yet\n'
      : `audit log intact: ${result.rows} rows, head #${result.head.id} ${result.head.hash}\n`;
  }
  return `audit log BROKEN at row #${result.brokenAt}: ${BREAK_MEANING[result.reason]} (${result.rows} rows before it verify)\n`;
}

/** Where to look: --database-url, else DATABASE_URL, else the embedded database (--data-dir or the default). */
async function open(values: { 'database-url'?: string | undefined; 'data-dir'?: string | undefined }, io: CliIo): Promise<Database | string> {
  const url = values['database-url'] ?? io.env['DATABASE_URL'];
  try {
    if (url !== undefined && url !== '') return await openDatabase({ url });
    const dataDir = values['data-dir'] === undefined ? defaultDataDir(io.env, io.env['HOME'] ?? homedir()) : resolve(io.cwd, values['data-dir']);
    // Opening a missing directory would create an empty database and report an empty log as intact.
    if (!existsSync(join(dataDir, 'PG_VERSION'))) return `no embedded database at ${dataDir} (give --database-url or --data-dir)`;
    return await openDatabase({ dataDir });
  } catch (error) {
    return `cannot open the database: ${describeError(error)}`;
  }
}

/** Runs `yardmaster audit <subcommand>`; only `verify` exists. Exit 0: chain intact; 1: broken; 2: cannot check. */
export async function auditCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(args, {
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!parsed.ok || parsed.positionals.length !== 1 || parsed.positionals[0] !== 'verify') {
    io.stderr.write(`${parsed.ok ? 'audit needs the subcommand verify' : parsed.message}\n\n${AUDIT_USAGE}\n`);
    return EXIT_INVALID;
  }
  const database = await open(parsed.values, io);
  if (typeof database === 'string') {
    io.stderr.write(`${database}\n`);
    return EXIT_INVALID;
  }
  let result: AuditChainResult;
  try {
    result = await verifyAuditChain(database.db);
  } catch (error) {
    io.stderr.write(`cannot read the audit log: ${describeError(error)}\n`);
    return EXIT_INVALID;
  } finally {
    await database.close();
  }
  io.stdout.write(parsed.values.json ? `${JSON.stringify(result)}\n` : formatResult(result));
  return result.ok ? EXIT_OK : EXIT_FAILED;
}
