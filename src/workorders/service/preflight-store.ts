/**
 * Pre-flight runs of plan versions: one row per order and digest, rerun as the next attempt. A run is requested in
 * the transaction that stores the plan (or by `/preflight`), its job sent through the same transaction; the worker
 * stores the result only while its attempt is still the latest, so a rerun's result is never overwritten by an older
 * run that ends later.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { preflightRuns } from '../../db/index.ts';
import type { DbExecutor, Tx } from '../../db/types.ts';
import type { PreflightStatus } from '../../db/vocabulary.ts';
import type { PreflightHostReport, PreflightReport } from '../../deploy/index.ts';
import { PREFLIGHT_QUEUE } from './release-jobs.ts';
import type { ServiceDeps } from './types.ts';

export type PreflightRow = typeof preflightRuns.$inferSelect;

/** A pre-flight as the adapters show it. */
export interface PreflightView {
  workOrderId: number;
  digest: string;
  attempt: number;
  status: PreflightStatus;
  hosts: PreflightHostReport[];
  message: string | null;
  requestedBy: string;
  requestedAt: Date;
  finishedAt: Date | null;
  /** The plan reply on GitHub showing it, once posted. */
  replyCommentId: number | null;
}

/** The stored hosts are the engine's report, written only by {@link recordPreflightResult}. */
function hostsOf(row: PreflightRow): PreflightHostReport[] {
  return row.hosts.filter(
    (host): host is PreflightHostReport =>
      typeof host === 'object' && host !== null && 'host' in host && 'ok' in host && 'checks' in host,
  );
}

export function preflightView(row: PreflightRow): PreflightView {
  return {
    workOrderId: row.workOrderId,
    digest: row.digest,
    attempt: row.attempt,
    status: row.status,
    hosts: hostsOf(row),
    message: row.message,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    finishedAt: row.finishedAt,
    replyCommentId: row.replyCommentId,
  };
}

/**
 * Marks the digest's pre-flight pending (a new row, or the next attempt of the existing one) and sends its job
 * through `tx`. Returns the attempt.
 */
export async function requestPreflight(
  tx: Tx,
  queue: ServiceDeps['queue'],
  input: { workOrderId: number; digest: string; requestedBy: string },
): Promise<number> {
  const [row] = await tx
    .insert(preflightRuns)
    .values({ workOrderId: input.workOrderId, digest: input.digest, requestedBy: input.requestedBy })
    .onConflictDoUpdate({
      target: [preflightRuns.workOrderId, preflightRuns.digest],
      set: {
        attempt: sql`${preflightRuns.attempt} + 1`,
        status: 'pending',
        hosts: [],
        message: null,
        requestedBy: input.requestedBy,
        requestedAt: sql`now()`,
        finishedAt: null,
      },
    })
    .returning({ attempt: preflightRuns.attempt });
  if (row === undefined) throw new Error(`no pre-flight row for work order ${String(input.workOrderId)}`);
  const data = { workOrderId: input.workOrderId, digest: input.digest, attempt: row.attempt };
  await queue.send(PREFLIGHT_QUEUE, data, { tx });
  return row.attempt;
}

/** Stores a finished run; undefined when a newer attempt was requested meanwhile (its result is the one that counts). */
export async function recordPreflightResult(
  db: DbExecutor,
  input: { workOrderId: number; digest: string; attempt: number; report: PreflightReport | { message: string } },
): Promise<PreflightView | undefined> {
  const { report } = input;
  const passed = 'ok' in report && report.ok;
  const message = 'ok' in report ? (report.packageNote ?? null) : report.message;
  const [row] = await db
    .update(preflightRuns)
    .set({
      status: passed ? 'passed' : 'failed',
      hosts: 'hosts' in report ? report.hosts : [],
      message,
      finishedAt: sql`now()`,
    })
    .where(
      and(
        eq(preflightRuns.workOrderId, input.workOrderId),
        eq(preflightRuns.digest, input.digest),
        eq(preflightRuns.attempt, input.attempt),
        eq(preflightRuns.status, 'pending'),
      ),
    )
    .returning();
  return row === undefined ? undefined : preflightView(row);
}

/** The pre-flight of one plan version, if one was requested. */
export async function preflightOf(
  db: DbExecutor,
  workOrderId: number,
  digest: string,
): Promise<PreflightView | undefined> {
  const [row] = await db
    .select()
    .from(preflightRuns)
    .where(and(eq(preflightRuns.workOrderId, workOrderId), eq(preflightRuns.digest, digest)))
    .limit(1);
  return row === undefined ? undefined : preflightView(row);
}

/** The latest pre-flight of an order, whatever its digest. */
export async function latestPreflight(db: DbExecutor, workOrderId: number): Promise<PreflightView | undefined> {
  const [row] = await db
    .select()
    .from(preflightRuns)
    .where(eq(preflightRuns.workOrderId, workOrderId))
    .orderBy(desc(preflightRuns.requestedAt), desc(preflightRuns.id))
    .limit(1);
  return row === undefined ? undefined : preflightView(row);
}

/**
 * Notes the plan reply that shows this pre-flight, returning the pre-flight as it is now: when it has finished
 * already, the caller updates the reply itself (the reporter, which edits it on a result, may have looked first).
 */
export async function rememberPreflightReply(
  db: DbExecutor,
  input: { workOrderId: number; digest: string; commentId: number },
): Promise<PreflightView | undefined> {
  const [row] = await db
    .update(preflightRuns)
    .set({ replyCommentId: input.commentId })
    .where(and(eq(preflightRuns.workOrderId, input.workOrderId), eq(preflightRuns.digest, input.digest)))
    .returning();
  return row === undefined ? undefined : preflightView(row);
}
