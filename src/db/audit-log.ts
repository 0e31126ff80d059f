/**
 * The tamper-evident audit log: every row carries the hash of the previous one, so changing, removing or
 * inserting a row anywhere but at the end breaks the chain, and {@link verifyAuditChain} says where.
 */
import { asc, desc, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { canonicalJson } from '../plan/canonical-json.ts';
import { AUDIT_APPEND_LOCK, LOCK_NAMESPACE } from './advisory-locks.ts';
import { auditHash, GENESIS_HASH } from './audit-hash.ts';
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
  };
  const [row] = await tx
    .insert(auditLog)
    .values({ ...fields, prevHash, hash: auditHash(prevHash, fields) })
    .returning();
  if (row === undefined) throw new Error('audit insert returned no row');
  return row;
}

/** Why a chain does not verify: a row's content no longer matches its hash, or a row's link skips or repeats. */
export type AuditChainBreak = 'hash-mismatch' | 'broken-link';

/** `head` is the last verified row: keep a copy elsewhere to detect rows cut off the end. */
export type AuditChainResult =
  | { ok: true; rows: number; head: { id: number; hash: string } | null }
  | { ok: false; rows: number; brokenAt: number; reason: AuditChainBreak };

/**
 * Walks the whole log in id order, recomputing every hash. `rows` counts the rows that verified. Removing rows at
 * the very end cannot be seen from the chain alone: compare `head` with a copy kept elsewhere for that.
 */
export async function verifyAuditChain(db: DbExecutor, options: { batchSize?: number } = {}): Promise<AuditChainResult> {
  const batchSize = options.batchSize ?? 1000;
  let prevHash = GENESIS_HASH;
  let head: { id: number; hash: string } | null = null;
  let lastId = 0;
  let rows = 0;
  for (;;) {
    const batch = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, lastId))
      .orderBy(asc(auditLog.id))
      .limit(batchSize);
    for (const row of batch) {
      if (row.prevHash !== prevHash) return { ok: false, rows, brokenAt: row.id, reason: 'broken-link' };
      if (row.hash !== auditHash(row.prevHash, row)) return { ok: false, rows, brokenAt: row.id, reason: 'hash-mismatch' };
      prevHash = row.hash;
      head = { id: row.id, hash: row.hash };
      lastId = row.id;
      rows++;
    }
    if (batch.length < batchSize) return { ok: true, rows, head };
  }
}
