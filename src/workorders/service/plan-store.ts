/** Plan versions: every plan an order has had, the current one being the highest `seq`. */
import { and, desc, eq, like, lt, sql } from 'drizzle-orm';
import { planVersions } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { parsePlan, planDigest } from '../../plan/index.ts';
import type { Plan } from '../../plan/types.ts';

export type PlanVersionRow = typeof planVersions.$inferSelect;

/** A stored plan version with its plan parsed again from the stored YAML. */
export interface StoredPlan {
  row: PlanVersionRow;
  plan: Plan;
}

/** The order's current plan version, if it has one. */
export async function currentPlanVersion(db: DbExecutor, workOrderId: number): Promise<PlanVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(planVersions)
    .where(eq(planVersions.workOrderId, workOrderId))
    .orderBy(desc(planVersions.seq))
    .limit(1);
  return row;
}

/**
 * The plan of a stored version, parsed from its YAML (what the approvers saw), and whether it still has the stored
 * digest: a release runs only what was approved, so a parser change that alters the plan must stop it.
 */
export function readStoredPlan(
  row: PlanVersionRow,
): { ok: true; plan: Plan; digestMatches: boolean } | { ok: false; message: string } {
  const parsed = parsePlan(row.yaml);
  if (!parsed.ok) {
    return {
      ok: false,
      message: `stored plan version ${row.seq} no longer parses: ${parsed.issues.map((issue) => issue.message).join('; ')}`,
    };
  }
  const digest = planDigest(parsed.value, {
    ...(row.commitSha === null ? {} : { commitSha: row.commitSha }),
    ...(row.resolved === null ? {} : { settings: row.resolved }),
  });
  return { ok: true, plan: parsed.value, digestMatches: digest === row.digest };
}

/**
 * The order's current plan, parsed.
 *
 * @throws Error when the stored YAML no longer parses (a Yardmaster upgrade changed the plan format): not a refusal
 *   anyone can act on from a comment.
 */
export async function currentPlan(db: DbExecutor, workOrderId: number): Promise<StoredPlan | undefined> {
  const row = await currentPlanVersion(db, workOrderId);
  if (row === undefined) return undefined;
  const read = readStoredPlan(row);
  if (!read.ok) throw new Error(read.message);
  return { row, plan: read.plan };
}

/** Plain JSON data of a value (dates as ISO strings), for jsonb columns. */
export function toJsonRecord(value: object): Record<string, unknown> {
  const parsed: unknown = JSON.parse(JSON.stringify(value));
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? Object.fromEntries(Object.entries(parsed))
    : {};
}

export interface NewPlanVersion {
  workOrderId: number;
  commentId: number | null;
  author: string;
  yaml: string;
  plan: Plan;
  digest: string;
  commitSha: string | null;
  /** GitHub's time of the text (see the column); null when Yardmaster makes the version itself. */
  sourceTime: Date | null;
  /** The resolved release settings the digest covers. */
  resolved: Record<string, unknown> | null;
}

/** When a version came to be on GitHub's clock where known, else on the server's. */
const versionTime = sql`coalesce(${planVersions.sourceTime}, ${planVersions.createdAt})`;

/**
 * The version an approver saw when they approved at `givenAt` (GitHub's time of the comment or review): the newest
 * made strictly before it. GitHub's times have whole seconds, so a version of the same second is not counted as
 * seen: the approver is asked again rather than bound to a plan they may not have read.
 */
export async function planVersionAt(
  db: DbExecutor,
  workOrderId: number,
  givenAt: Date,
  commitSha?: string,
): Promise<PlanVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(planVersions)
    .where(
      and(
        eq(planVersions.workOrderId, workOrderId),
        lt(versionTime, sql`${givenAt.toISOString()}::timestamptz`),
        ...(commitSha === undefined ? [] : [eq(planVersions.commitSha, commitSha)]),
      ),
    )
    .orderBy(desc(planVersions.seq))
    .limit(1);
  return row;
}

/** The newest version of the order with `digest` (to name the version an approval was for). */
export async function planVersionWithDigest(
  db: DbExecutor,
  workOrderId: number,
  digest: string,
): Promise<PlanVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.workOrderId, workOrderId), eq(planVersions.digest, digest)))
    .orderBy(desc(planVersions.seq))
    .limit(1);
  return row;
}

/** Stores the next version of an order's plan (call with the order row locked, so `seq` cannot race). */
export async function insertPlanVersion(tx: DbExecutor, version: NewPlanVersion): Promise<PlanVersionRow> {
  const [row] = await tx
    .insert(planVersions)
    .values({
      ...version,
      plan: toJsonRecord(version.plan),
      seq: sql`(select coalesce(max(p.seq), 0) + 1 from plan_versions p where p.work_order_id = ${version.workOrderId})`,
    })
    .returning();
  if (row === undefined) throw new Error('plan version insert returned no row');
  return row;
}

/** The newest version of the order whose digest starts with `prefix` (hex only, checked by the command parser). */
export async function planVersionSeqWithDigestPrefix(
  db: DbExecutor,
  workOrderId: number,
  prefix: string,
): Promise<number | undefined> {
  if (!/^[0-9a-f]+$/.test(prefix)) return undefined;
  const [row] = await db
    .select({ seq: planVersions.seq })
    .from(planVersions)
    .where(and(eq(planVersions.workOrderId, workOrderId), like(planVersions.digest, `${prefix}%`)))
    .orderBy(desc(planVersions.seq))
    .limit(1);
  return row?.seq;
}
