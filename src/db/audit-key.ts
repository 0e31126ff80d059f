/**
 * The server's audit key: the HMAC key of the audit chain (audit-hash.ts), so that a database writer cannot rewrite
 * a row and recompute the chain after it.
 *
 * Where it comes from:
 * - `YARDMASTER_AUDIT_KEY` (at least 32 characters), the same in every process that writes or verifies the log;
 * - else, on the embedded database (a data directory), a random key in `<dataDir>/yardmaster-audit.key` (mode 0600),
 *   made on first start. It keeps the chain keyed with nothing to configure, but whoever can write the data
 *   directory can read it too: set the variable (from a secret store) for a real guarantee;
 * - else (PostgreSQL without the variable, or the in-memory database of tests) no key: rows are chained with plain
 *   sha256 and the server says so loudly at start. A key is never stored in the database itself: a database writer
 *   would have it.
 *
 * One key per process, installed once at start ({@link installAuditKey}), because every appender of the log uses it
 * and they are many and deep (the work order service, the lane library, the dispatcher).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditKey } from './audit-hash.ts';

export const AUDIT_KEY_VARIABLE = 'YARDMASTER_AUDIT_KEY';
/** The key file's name inside the embedded database's data directory. */
export const AUDIT_KEY_FILE = 'yardmaster-audit.key';
const MIN_KEY_LENGTH = 32;

/** Where the key came from, for the start-up log line. */
export type AuditKeySource = 'variable' | 'data-dir-file' | 'none';

export type AuditKeyResult =
  | { ok: true; key: AuditKey | null; source: AuditKeySource; file?: string }
  | { ok: false; problem: string };

let installed: AuditKey | null = null;

/** Makes `key` the key this process's appends use (null: plain sha256 chain). */
export function installAuditKey(key: AuditKey | null): void {
  installed = key;
}

/** The key this process's appends use. */
export function installedAuditKey(): AuditKey | null {
  return installed;
}

function fromText(text: string): AuditKey {
  return { bytes: Buffer.from(text, 'utf8') };
}

async function keyFile(dataDir: string, create: boolean): Promise<AuditKeyResult> {
  const file = join(dataDir, AUDIT_KEY_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.length < MIN_KEY_LENGTH)
      return { ok: false, problem: `${file}: the audit key is shorter than ${MIN_KEY_LENGTH} characters` };
    return { ok: true, key: fromText(text), source: 'data-dir-file', file };
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT'))
      return { ok: false, problem: `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!create) return { ok: true, key: null, source: 'none' };
  const text = randomBytes(32).toString('base64url');
  try {
    // wx: two processes racing cannot both write a key; the loser reads the winner's.
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${text}\n`);
    } finally {
      await handle.close();
    }
    return { ok: true, key: fromText(text), source: 'data-dir-file', file };
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return keyFile(dataDir, false);
    return { ok: false, problem: `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The audit key for a process on `database`: the variable, else the embedded data directory's key file (made when
 * `createFile` and missing; the server does, `yardmaster audit verify` only reads), else none.
 */
export async function resolveAuditKey(
  env: Readonly<Record<string, string | undefined>>,
  database: { kind: 'postgres' } | { kind: 'pglite'; dataDir: string },
  options: { createFile: boolean },
): Promise<AuditKeyResult> {
  const variable = env[AUDIT_KEY_VARIABLE];
  if (variable !== undefined && variable !== '') {
    if (variable.length < MIN_KEY_LENGTH)
      return {
        ok: false,
        problem: `${AUDIT_KEY_VARIABLE}: must be at least ${MIN_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`,
      };
    return { ok: true, key: fromText(variable), source: 'variable' };
  }
  if (database.kind === 'pglite' && !database.dataDir.startsWith('memory://'))
    return keyFile(database.dataDir, options.createFile);
  return { ok: true, key: null, source: 'none' };
}
