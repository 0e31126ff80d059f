/**
 * `yardmaster audit verify`: checks the audit log's hash chain, row by row, on the server's database, with the
 * server's audit key (YARDMASTER_AUDIT_KEY, or the embedded database's key file), and that heads recorded earlier
 * (`--head <id>:<hash>`, from this command's output or the server's periodic `audit head` log line) are still in it.
 */
import {
  parseAuditHead,
  verifyAuditChain,
  type AuditChainBreak,
  type AuditChainResult,
  type AuditHead,
  AUDIT_KEY_VARIABLE,
} from '../../db/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { AUDIT_USAGE } from '../command-usage.ts';
import { cliAuditKey, describeCliError, openCliDatabase } from '../open-cli-database.ts';
import { parseCliArgs } from '../parse-cli-args.ts';

const BREAK_MEANING: Record<AuditChainBreak, string> = {
  'hash-mismatch': 'the row no longer matches its hash: it was changed after it was written',
  'broken-link': 'the row does not follow the one before it: a row was removed or inserted',
  'unkeyed-after-keyed':
    'the row is hashed without the audit key after keyed rows: it was rewritten by someone without the key',
  'head-missing': 'a recorded head is not in the chain: rows were cut off the end or the chain was rewritten',
};

function formatResult(result: AuditChainResult, heads: readonly AuditHead[], keyed: boolean): string {
  if (result.ok) {
    const recorded = heads.map((head) => `recorded head #${head.id} is in the chain\n`).join('');
    return result.head === null
      ? `audit log intact: no rows yet\n${recorded}`
      : `audit log intact: ${result.rows} rows, head #${result.head.id} ${result.head.hash}\n${recorded}`;
  }
  const which = result.reason === 'head-missing' ? ` (recorded head #${result.brokenAt})` : '';
  const hint =
    result.reason === 'hash-mismatch' && !keyed
      ? `; or the row is keyed and no audit key was given (${AUDIT_KEY_VARIABLE})`
      : '';
  return `audit log BROKEN at row #${result.brokenAt}${which}: ${BREAK_MEANING[result.reason]}${hint} (${result.rows} rows before it verify)\n`;
}

/** What the operator should know about the key: none given, or old rows written before it. */
function keyNote(result: AuditChainResult, keyed: boolean): string {
  if (!result.ok || result.rows === 0) return '';
  if (!keyed)
    return `note: no audit key (${AUDIT_KEY_VARIABLE}): the chain is plain sha256, which anyone who can write the database can recompute\n`;
  return result.unkeyedRows > 0
    ? `note: the first ${result.unkeyedRows} rows are not keyed (written before the audit key was set)\n`
    : '';
}

/** Runs `yardmaster audit <subcommand>`; only `verify` exists. Exit 0: chain intact; 1: broken; 2: cannot check. */
export async function auditCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('audit', args, {
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    head: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (!parsed.ok || parsed.positionals.length !== 1 || parsed.positionals[0] !== 'verify') {
    io.stderr.write(`${parsed.ok ? 'audit needs the subcommand verify' : parsed.message}\n\n${AUDIT_USAGE}\n`);
    return EXIT_INVALID;
  }
  const heads: AuditHead[] = [];
  for (const text of parsed.values.head ?? []) {
    const head = parseAuditHead(text);
    if (head === null) {
      io.stderr.write(
        `--head ${text}: expected <id>:<hash> (the row id and its 64 hex digit hash)\n\n${AUDIT_USAGE}\n`,
      );
      return EXIT_INVALID;
    }
    heads.push(head);
  }
  const database = await openCliDatabase(parsed.values, io);
  if (typeof database === 'string') {
    io.stderr.write(`${database}\n`);
    return EXIT_INVALID;
  }
  let result: AuditChainResult;
  let keyed: boolean;
  try {
    const key = await cliAuditKey(database, io);
    if (typeof key === 'string') {
      io.stderr.write(`${key}\n`);
      return EXIT_INVALID;
    }
    keyed = key !== null;
    result = await verifyAuditChain(database.db, { key, heads });
  } catch (error) {
    io.stderr.write(`cannot read the audit log: ${describeCliError(error)}\n`);
    return EXIT_INVALID;
  } finally {
    await database.close();
  }
  io.stdout.write(
    parsed.values.json ? `${JSON.stringify({ ...result, keyed })}\n` : formatResult(result, heads, keyed),
  );
  if (!parsed.values.json) io.stderr.write(keyNote(result, keyed));
  return result.ok ? EXIT_OK : EXIT_FAILED;
}
