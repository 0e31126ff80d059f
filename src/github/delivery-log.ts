/**
 * `webhook_deliveries`, the inbox: a delivery id is handled once, however often GitHub (or an attacker replaying it)
 * sends it. Stored with its payload before GitHub gets its answer; taken by one handler; marked how it ended.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { webhookDeliveries } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import type { WebhookDeliveryStatus } from '../db/vocabulary.ts';

/** A delivery as the webhook answer stores it. */
export interface IncomingDelivery {
  id: string;
  event: string;
  action: string | undefined;
  installationId: number;
  subjectKey: string;
  payload: Record<string, unknown>;
  /** When the event happened by GitHub's clock, if the payload says (delivery-order.ts). */
  eventAt?: Date | undefined;
}

/** A stored delivery a handler has taken. */
export interface ClaimedDelivery {
  /** The row's id (the inbox order). */
  row: number;
  id: string;
  event: string;
  installationId: number;
  payload: Record<string, unknown>;
  /** When it was stored (the retry bound counts from here). */
  receivedAt: Date;
  /** Attempts that failed for a transient reason so far. */
  attempts: number;
}

/** A stored delivery still to handle. */
export interface UnhandledDelivery {
  row: number;
  subjectKey: string;
  /** When a `retrying` one is due; `undefined` for one never tried or cut off while handled. */
  nextAttemptAt: Date | undefined;
}

/** Rows a handler may take: new ones, retries, and with `reclaim` those a stopped process was handling. */
const CLAIMABLE: readonly WebhookDeliveryStatus[] = ['received', 'retrying'];
const RECLAIMABLE: readonly WebhookDeliveryStatus[] = [...CLAIMABLE, 'handling'];

/**
 * Stores deliveries in one statement (and one commit); for each, its row, or `undefined` when its id was seen before
 * (a redelivery: do nothing). A delivery whose handling failed may be stored again, so that GitHub's (or an
 * operator's) redelivery retries it. Ids must be distinct within one call.
 * @returns rows to hand to {@link claimDelivery}, in the order of `deliveries`.
 */
export async function storeDeliveries(
  db: Db,
  deliveries: readonly IncomingDelivery[],
): Promise<(number | undefined)[]> {
  if (deliveries.length === 0) return [];
  const stored = await db
    .insert(webhookDeliveries)
    .values(
      deliveries.map((delivery) => ({
        deliveryId: delivery.id,
        event: delivery.event,
        action: delivery.action ?? null,
        installationId: delivery.installationId,
        subjectKey: delivery.subjectKey,
        payload: delivery.payload,
        eventAt: delivery.eventAt ?? null,
      })),
    )
    .onConflictDoUpdate({
      target: webhookDeliveries.deliveryId,
      set: {
        status: 'received',
        error: null,
        receivedAt: sql`now()`,
        handledAt: null,
        claimedAt: null,
        attempts: 0,
        nextAttemptAt: null,
        event: sql`excluded.event`,
        action: sql`excluded.action`,
        installationId: sql`excluded.installation_id`,
        subjectKey: sql`excluded.subject_key`,
        payload: sql`excluded.payload`,
        eventAt: sql`excluded.event_at`,
      },
      setWhere: sql`${webhookDeliveries.status} = 'failed'`,
    })
    .returning({ row: webhookDeliveries.id, id: webhookDeliveries.deliveryId });
  const rows = new Map(stored.map((entry) => [entry.id, entry.row]));
  return deliveries.map((delivery) => rows.get(delivery.id));
}

/** {@link storeDeliveries} for one delivery. */
export async function storeDelivery(db: Db, delivery: IncomingDelivery): Promise<number | undefined> {
  const [row] = await storeDeliveries(db, [delivery]);
  return row;
}

/**
 * Takes a stored delivery for handling: `received` or `retrying` → `handling`, or a `handling` one left by a process
 * that stopped, or by an attempt whose failure could not be recorded (`reclaim`). `undefined` when another handler
 * has it or it is done.
 */
export async function claimDelivery(db: Db, row: number, reclaim = false): Promise<ClaimedDelivery | undefined> {
  const [claimed] = await db
    .update(webhookDeliveries)
    .set({ status: 'handling', claimedAt: sql`now()` })
    .where(and(eq(webhookDeliveries.id, row), inArray(webhookDeliveries.status, reclaim ? RECLAIMABLE : CLAIMABLE)))
    .returning({
      row: webhookDeliveries.id,
      id: webhookDeliveries.deliveryId,
      event: webhookDeliveries.event,
      installationId: webhookDeliveries.installationId,
      payload: webhookDeliveries.payload,
      receivedAt: webhookDeliveries.receivedAt,
      attempts: webhookDeliveries.attempts,
    });
  if (claimed === undefined || claimed.installationId === null || claimed.payload === null) return undefined;
  const { installationId, payload } = claimed;
  return { ...claimed, installationId, payload };
}

/** Whether `row` still waits to be handled (`received`, `handling` or `retrying`). */
export async function isUnhandled(db: Db, row: number): Promise<boolean> {
  const [found] = await db
    .select({ row: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, row), inArray(webhookDeliveries.status, ['received', 'handling', 'retrying'])));
  return found !== undefined;
}

/** Marks `row` failed when it was taken but has no payload or installation to handle (nothing can ever handle it). */
export async function failUnusableDelivery(db: Db, row: number): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: 'failed', handledAt: sql`now()`, error: 'stored without its payload or installation' })
    .where(
      and(
        eq(webhookDeliveries.id, row),
        eq(webhookDeliveries.status, 'handling'),
        sql`(${webhookDeliveries.payload} is null or ${webhookDeliveries.installationId} is null)`,
      ),
    );
}

/**
 * Deliveries stored but not handled (a process stopped before or while handling them, or they wait for another
 * attempt), oldest first.
 */
export async function unhandledDeliveries(db: Db): Promise<UnhandledDelivery[]> {
  const rows = await db
    .select({
      row: webhookDeliveries.id,
      subjectKey: webhookDeliveries.subjectKey,
      status: webhookDeliveries.status,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
    })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.status, ['received', 'handling', 'retrying']))
    .orderBy(asc(webhookDeliveries.id));
  return rows.map((row) => ({
    row: row.row,
    subjectKey: row.subjectKey ?? '',
    nextAttemptAt: row.status === 'retrying' ? (row.nextAttemptAt ?? new Date()) : undefined,
  }));
}

/**
 * The subject's next delivery to handle: the earliest unhandled one in GitHub's order — the event's time where the
 * payload gave one, else its arrival — then by arrival (row id). Only the subject's claim holder asks.
 */
export async function oldestUnhandledOf(db: Db, subjectKey: string): Promise<UnhandledDelivery | undefined> {
  const [row] = await db
    .select({
      row: webhookDeliveries.id,
      status: webhookDeliveries.status,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
    })
    .from(webhookDeliveries)
    .where(
      and(
        sql`coalesce(${webhookDeliveries.subjectKey}, '') = ${subjectKey}`,
        inArray(webhookDeliveries.status, ['received', 'handling', 'retrying']),
      ),
    )
    .orderBy(sql`coalesce(${webhookDeliveries.eventAt}, ${webhookDeliveries.receivedAt})`, asc(webhookDeliveries.id))
    .limit(1);
  if (row === undefined) return undefined;
  return {
    row: row.row,
    subjectKey,
    nextAttemptAt: row.status === 'retrying' ? (row.nextAttemptAt ?? new Date()) : undefined,
  };
}

/** Records a transient failure: the delivery waits, payload kept, for another attempt at `nextAttemptAt`. */
export async function scheduleRetry(
  db: Db,
  row: number,
  attempts: number,
  nextAttemptAt: Date,
  error: string,
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: 'retrying', attempts, nextAttemptAt, error, claimedAt: null })
    .where(eq(webhookDeliveries.id, row));
}

/** Which of `ids` (GitHub delivery GUIDs) are stored, whatever became of them. */
export async function storedDeliveryIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.deliveryId, [...ids]));
  return new Set(rows.map((row) => row.id));
}

/**
 * Marks how a taken delivery ended; a handled one drops its payload, a failed one keeps it for a look. `attempts`:
 * the failed attempts before this end, when known.
 */
export async function finishDelivery(
  db: Db,
  row: number,
  status: Extract<WebhookDeliveryStatus, 'handled' | 'failed'>,
  error?: string,
  attempts?: number,
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      status,
      handledAt: sql`now()`,
      error: error ?? null,
      nextAttemptAt: null,
      ...(attempts === undefined ? {} : { attempts }),
      ...(status === 'handled' ? { payload: null } : {}),
    })
    .where(eq(webhookDeliveries.id, row));
}
