/**
 * Which server handles a subject's deliveries (`delivery_subject_claims`): a server handles a subject only while it
 * holds the subject's claim, a row with its holder id and a lease. The claim is taken when the subject is free or its
 * lease ran out (the holder died), renewed while the holder works on it, and deleted when it is done, so the
 * deliveries of one subject are handled one at a time whichever server stored them, and different subjects go side
 * by side on any server.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { deliverySubjectClaims, webhookDeliveries } from '../db/index.ts';
import type { Db } from '../db/types.ts';

/** `now() + ms` in the database's clock (every server compares leases by the same clock). */
function leaseEnd(leaseMs: number) {
  return sql`now() + ${Math.round(leaseMs)} * interval '1 millisecond'`;
}

/**
 * Takes (or keeps) the claim of `subjectKey` for `holder` until `leaseMs` from now; false when another holder's lease
 * still runs.
 */
export async function claimSubject(db: Db, subjectKey: string, holder: string, leaseMs: number): Promise<boolean> {
  const claimed = await db
    .insert(deliverySubjectClaims)
    .values({ subjectKey, holder, leaseUntil: leaseEnd(leaseMs) })
    .onConflictDoUpdate({
      target: deliverySubjectClaims.subjectKey,
      set: {
        holder: sql`excluded.holder`,
        leaseUntil: sql`excluded.lease_until`,
        claimedAt: sql`case when ${deliverySubjectClaims.holder} = excluded.holder then ${deliverySubjectClaims.claimedAt} else now() end`,
      },
      setWhere: sql`${deliverySubjectClaims.holder} = excluded.holder or ${deliverySubjectClaims.leaseUntil} < now()`,
    })
    .returning({ holder: deliverySubjectClaims.holder });
  return claimed.length === 1;
}

/** Moves the leases of `holder`'s claims on `subjectKeys` on; the subjects it still holds. */
export async function renewSubjectClaims(
  db: Db,
  subjectKeys: readonly string[],
  holder: string,
  leaseMs: number,
): Promise<Set<string>> {
  if (subjectKeys.length === 0) return new Set();
  const renewed = await db
    .update(deliverySubjectClaims)
    .set({ leaseUntil: leaseEnd(leaseMs) })
    .where(and(eq(deliverySubjectClaims.holder, holder), inArray(deliverySubjectClaims.subjectKey, [...subjectKeys])))
    .returning({ subjectKey: deliverySubjectClaims.subjectKey });
  return new Set(renewed.map((row) => row.subjectKey));
}

/** Lets `subjectKey` go, if `holder` holds it. */
export async function releaseSubjectClaim(db: Db, subjectKey: string, holder: string): Promise<void> {
  await db
    .delete(deliverySubjectClaims)
    .where(and(eq(deliverySubjectClaims.subjectKey, subjectKey), eq(deliverySubjectClaims.holder, holder)));
}

/** Lets every subject `holder` holds go (a server stopping). */
export async function releaseAllSubjectClaims(db: Db, holder: string): Promise<void> {
  await db.delete(deliverySubjectClaims).where(eq(deliverySubjectClaims.holder, holder));
}

/** A subject with deliveries to handle that no server holds (never claimed, or its holder's lease ran out). */
export interface StalledSubject {
  subjectKey: string;
  /** Its earliest unhandled row (by arrival). */
  row: number;
}

/** Subjects with unhandled deliveries and no live claim, at most `limit`, those waiting longest first. */
export async function stalledSubjects(db: Db, limit = 100): Promise<StalledSubject[]> {
  const rows = await db
    .select({
      subjectKey: sql<string>`coalesce(${webhookDeliveries.subjectKey}, '')`,
      row: sql<number>`min(${webhookDeliveries.id})`.mapWith(Number),
    })
    .from(webhookDeliveries)
    .where(
      and(
        inArray(webhookDeliveries.status, ['received', 'handling', 'retrying']),
        sql`not exists (select 1 from ${deliverySubjectClaims} where ${deliverySubjectClaims.subjectKey} = coalesce(${webhookDeliveries.subjectKey}, '') and ${deliverySubjectClaims.leaseUntil} >= now())`,
      ),
    )
    .groupBy(sql`coalesce(${webhookDeliveries.subjectKey}, '')`)
    .orderBy(sql`min(${webhookDeliveries.id})`)
    .limit(limit);
  return rows;
}
