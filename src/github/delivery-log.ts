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
}

/** A stored delivery a handler has taken. */
export interface ClaimedDelivery {
  /** The row's id (the inbox order). */
  row: number;
  id: string;
  event: string;
  installationId: number;
  payload: Record<string, unknown>;
}

/** A stored delivery still to handle. */
export interface UnhandledDelivery {
  row: number;
  subjectKey: string;
}

/**
 * Stores deliveries in one statement (and one commit); for each, its row, or `undefined` when its id was seen before
 * (a redelivery: do nothing). A delivery whose handling failed may be stored again, so that GitHub's (or an
 * operator's) redelivery retries it. Ids must be distinct within one call.
 * @returns rows to hand to {@link claimDelivery}, in the order of `deliveries`.
 */
export async function storeDeliveries(db: Db, deliveries: readonly IncomingDelivery[]): Promise<Array<number | undefined>> {
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
        event: sql`excluded.event`,
        action: sql`excluded.action`,
        installationId: sql`excluded.installation_id`,
        subjectKey: sql`excluded.subject_key`,
        payload: sql`excluded.payload`,
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
 * Takes a stored delivery for handling: `received` → `handling`, or a `handling` one left by a process that stopped
 * (`reclaim`). `undefined` when another handler has it or it is done.
 */
export async function claimDelivery(db: Db, row: number, reclaim = false): Promise<ClaimedDelivery | undefined> {
  const [claimed] = await db
    .update(webhookDeliveries)
    .set({ status: 'handling', claimedAt: sql`now()` })
    .where(and(eq(webhookDeliveries.id, row), inArray(webhookDeliveries.status, reclaim ? ['received', 'handling'] : ['received'])))
    .returning({
      row: webhookDeliveries.id,
      id: webhookDeliveries.deliveryId,
      event: webhookDeliveries.event,
      installationId: webhookDeliveries.installationId,
      payload: webhookDeliveries.payload,
    });
  if (claimed === undefined || claimed.installationId === null || claimed.payload === null) return undefined;
  return { row: claimed.row, id: claimed.id, event: claimed.event, installationId: claimed.installationId, payload: claimed.payload };
}

/** Deliveries stored but not handled (a process stopped before or while handling them), oldest first. */
export async function unhandledDeliveries(db: Db): Promise<UnhandledDelivery[]> {
  const rows = await db
    .select({ row: webhookDeliveries.id, subjectKey: webhookDeliveries.subjectKey })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.status, ['received', 'handling']))
    .orderBy(asc(webhookDeliveries.id));
  return rows.map((row) => ({ row: row.row, subjectKey: row.subjectKey ?? '' }));
}

/** Marks how a taken delivery ended; a handled one drops its payload, a failed one keeps it for a look. */
export async function finishDelivery(db: Db, row: number, status: Extract<WebhookDeliveryStatus, 'handled' | 'failed'>, error?: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status, handledAt: sql`now()`, error: error ?? null, ...(status === 'handled' ? { payload: null } : {}) })
    .where(eq(webhookDeliveries.id, row));
}
