/**
 * The tamper-evident audit log: every row carries the hash of the previous one (keyed with the server's audit key
 * when it has one), so changing, removing or inserting a row anywhere but at the end breaks the chain, and
 * {@link verifyAuditChain} says where; a head recorded elsewhere (the periodic log line, `yardmaster audit verify`)
 * catches rows cut off the end.
 */
import { asc, desc, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { canonicalJson } from '../lib/canonical-json.ts';
import { AUDIT_APPEND_LOCK, LOCK_NAMESPACE } from './advisory-locks.ts';
import { AUDIT_HASH_FORMATS, auditHash, auditHashFormatOf, GENESIS_HASH, type AuditKey } from './audit-hash.ts';
import { installedAuditKey } from './audit-key.ts';
import { rawRows } from './raw-rows.ts';
import { auditLog } from './schema.ts';
import type { DbExecutor, Tx } from './types.ts';

/** What the caller says about an event; id, time and hashes are the log's. */
export interface AuditEntry {
  /** A GitHub login, `slack:<user>`, `cli:<user>` or `yardmaster` for the bot itself. */
  actor: string;
  /** What happened, e.g. `work_order.transition`, `approval.recorded`, `lock.manual`. */
  action: string;
  workOrderId?: number | null;
  fromState?: string | null;
  toState?: string | null;
  reason?: string | null;
  /** Anything else worth keeping; must be plain JSON data (it is stored as jsonb). */
  data?: Readonly<Record<string, unknown>>;
  /**
   * The repository (owner/name) a row without a work order concerns, e.g. the pull request that opened a lane: the
   * dashboard shows such a row only to readers of that repository. Rows of an order concern the order's repository.
   */
  repo?: string | null;
}

export type AuditRow = typeof auditLog.$inferSelect;

const slotRow = z.object({ isolation: z.string(), id: z.string().regex(/^\d+$/), at_ms: z.string().regex(/^\d+$/) });

/**
 * Appends one row to the audit log inside the caller's transaction, so the row commits (or not) with the change it
 * records. A transaction-level advisory lock serialises appenders from every process: each reads the current head
 * only after the previous appender has committed, so the chain never forks. The lock is held until the caller's
 * transaction ends: keep audited transactions short.
 *
 * @throws Error when the transaction is not READ COMMITTED (a snapshot taken before the lock would miss the
 *   previous head and fork the chain), TypeError when `data` is not plain JSON.
 */
export async function appendAudit(tx: Tx, entry: AuditEntry): Promise<AuditRow> {
  // Normalise first: what is hashed must be exactly what jsonb gives back when the chain is verified.
  const data: unknown = JSON.parse(canonicalJson(entry.data ?? {}));
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${AUDIT_APPEND_LOCK})`);
  // The id and the time are taken under the lock, so both rise along the chain; the time is the database's,
  // to millisecond precision, so every process agrees on it and a JS Date round-trips it exactly.
  const slot = slotRow.parse(
    rawRows(
      await tx.execute(sql`
        select current_setting('transaction_isolation') as isolation,
               nextval(pg_get_serial_sequence('audit_log', 'id'))::text as id,
               floor(extract(epoch from clock_timestamp()) * 1000)::bigint::text as at_ms`),
    )[0],
  );
  if (slot.isolation !== 'read committed') {
    throw new Error(`appendAudit needs a READ COMMITTED transaction, not ${slot.isolation.toUpperCase()}`);
  }
  const [head] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const prevHash = head?.hash ?? GENESIS_HASH;
  const fields = {
    id: Number(slot.id),
    at: new Date(Number(slot.at_ms)),
    actor: entry.actor,
    action: entry.action,
    workOrderId: entry.workOrderId ?? null,
    fromState: entry.fromState ?? null,
    toState: entry.toState ?? null,
    reason: entry.reason ?? null,
    data,
    repo: entry.repo ?? null,
  };
  const [row] = await tx
    .insert(auditLog)
    .values({ ...fields, prevHash, hash: auditHash(prevHash, fields, installedAuditKey()) })
    .returning();
  if (row === undefined) throw new Error('audit insert returned no row');
  return row;
}

/**
 * Why a chain does not verify: a row's content no longer matches its hash, a row's link skips or repeats, a row
 * hashed without the key follows a keyed one (a keyed row was replaced by a recomputed plain one), or a head recorded
 * earlier is no longer in the chain (rows were cut off the end, or the tail was rewritten).
 */
export type AuditChainBreak = 'hash-mismatch' | 'broken-link' | 'unkeyed-after-keyed' | 'head-missing';

/** A row id and its hash, e.g. a head recorded earlier: `<id>:<hash>`. */
export interface AuditHead {
  id: number;
  hash: string;
}

/**
 * `head` is the last verified row: keep a copy elsewhere to detect rows cut off the end. `unkeyedRows` counts rows
 * hashed without the audit key (written before it was set, or by a server without one); they can only come before
 * the first keyed row.
 */
export type AuditChainResult =
  | { ok: true; rows: number; unkeyedRows: number; head: AuditHead | null }
  | { ok: false; rows: number; brokenAt: number; reason: AuditChainBreak };

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditOptions {
  batchSize?: number;
  /** The audit key; without it keyed rows do not verify. */
  key?: AuditKey | null;
  /** Heads recorded earlier that must still be in the chain with the same hash. */
  heads?: readonly AuditHead[];
}

/**
 * Walks the whole log in id order, recomputing every hash. `rows` counts the rows that verified. Removing rows at
 * the very end cannot be seen from the chain alone: give a head kept elsewhere in `heads` for that.
 */
export async function verifyAuditChain(db: DbExecutor, options: VerifyAuditOptions = {}): Promise<AuditChainResult> {
  const batchSize = options.batchSize ?? 1000;
  const key = options.key ?? null;
  const pending = new Map<number, string>();
  for (const recorded of options.heads ?? []) pending.set(recorded.id, recorded.hash);
  let prevHash = GENESIS_HASH;
  let head: AuditHead | null = null;
  let lastId = 0;
  let rows = 0;
  let unkeyedRows = 0;
  let keyedSeen = false;
  for (;;) {
    const batch = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, lastId))
      .orderBy(asc(auditLog.id))
      .limit(batchSize);
    for (const row of batch) {
      if (row.prevHash !== prevHash) return { ok: false, rows, brokenAt: row.id, reason: 'broken-link' };
      const format = auditHashFormatOf(row.hash, row.prevHash, row, key);
      if (format === null) return { ok: false, rows, brokenAt: row.id, reason: 'hash-mismatch' };
      if (format === AUDIT_HASH_FORMATS.keyed) keyedSeen = true;
      else if (keyedSeen) return { ok: false, rows, brokenAt: row.id, reason: 'unkeyed-after-keyed' };
      else unkeyedRows++;
      const recorded = pending.get(row.id);
      if (recorded !== undefined && recorded !== row.hash)
        return { ok: false, rows, brokenAt: row.id, reason: 'head-missing' };
      pending.delete(row.id);
      prevHash = row.hash;
      head = { id: row.id, hash: row.hash };
      lastId = row.id;
      rows++;
    }
    if (batch.length < batchSize) {
      const missing = [...pending.keys()].sort((a, b) => a - b)[0];
      if (missing !== undefined) return { ok: false, rows, brokenAt: missing, reason: 'head-missing' };
      return { ok: true, rows, unkeyedRows, head };
    }
  }
}

/** The newest row's id and hash (no verification): what the periodic log line records. */
export async function auditHead(db: DbExecutor): Promise<AuditHead | null> {
  const [row] = await db
    .select({ id: auditLog.id, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row ?? null;
}

/** `<id>:<hash>`, the form `yardmaster audit verify --head` takes. */
export function formatAuditHead(head: AuditHead): string {
  return `${head.id}:${head.hash}`;
}

/** Parses `<id>:<hash>` (hash: 64 hex digits), or null. */
export function parseAuditHead(text: string): AuditHead | null {
  const match = /^(\d{1,18}):([0-9a-f]{64})$/.exec(text.trim());
  if (match === null) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? { id, hash: match[2] ?? '' } : null;
}
