/** `webhook_deliveries`: a delivery id is handled once, however often GitHub (or an attacker replaying it) sends it. */
import { eq, sql } from 'drizzle-orm';
import { webhookDeliveries } from '../db/schema.ts';
import type { Db } from '../db/types.ts';
import type { WebhookDeliveryStatus } from '../db/vocabulary.ts';

/**
 * Records the delivery; false when its id was seen before (a redelivery: do nothing). A delivery whose handling
 * failed may be claimed again, so that GitHub's (or an operator's) redelivery retries it.
 */
export async function claimDelivery(db: Db, delivery: { id: string; event: string; action: string | undefined }): Promise<boolean> {
  const inserted = await db
    .insert(webhookDeliveries)
    .values({ deliveryId: delivery.id, event: delivery.event, action: delivery.action ?? null })
    .onConflictDoUpdate({
      target: webhookDeliveries.deliveryId,
      set: { status: 'received', error: null, receivedAt: sql`now()` },
      setWhere: sql`${webhookDeliveries.status} = 'failed'`,
    })
    .returning({ id: webhookDeliveries.id });
  return inserted.length > 0;
}

/** Marks how a claimed delivery ended. */
export async function finishDelivery(db: Db, deliveryId: string, status: WebhookDeliveryStatus, error?: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status, handledAt: sql`now()`, error: error ?? null })
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
}
