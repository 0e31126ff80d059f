/**
 * Accepting an arriving delivery: parses its repository and installation with zod, stores it (delivery-batcher.ts)
 * and queues its handling; the webhook answer waits for this only. A delivery of no handled event, or without
 * repository or installation, is not for us; one whose id was stored before is a redelivery, ignored.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingDelivery } from './delivery-log.ts';
import { enqueue, type InboxState } from './delivery-inbox-state.ts';
import type { Acceptance, ArrivingDelivery } from './delivery-inbox-types.ts';
import { routeOf } from './delivery-routes.ts';
import { eventTimeOf } from './delivery-order.ts';
import { subjectKeyOf } from './delivery-subject.ts';
import { problemsOf, repoEventSchema } from './webhook-payloads.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stores the delivery, telling `onStored` whether that worked; its row, or undefined when it was stored before. */
async function store(state: InboxState, delivery: IncomingDelivery): Promise<number | undefined> {
  try {
    const row = await state.storeDelivery(delivery);
    state.options.onStored?.(true);
    return row;
  } catch (error) {
    state.options.onStored?.(false);
    throw error;
  }
}

async function acceptDelivery(state: InboxState, delivery: ArrivingDelivery): Promise<Acceptance> {
  if (state.closed) throw new Error('the webhook inbox is closed');
  const event = repoEventSchema.safeParse(delivery.payload);
  if (!event.success || !isRecord(delivery.payload)) {
    state.log.warn(
      {
        delivery: delivery.id,
        event: delivery.name,
        problems: event.success ? 'not an object' : problemsOf(event.error),
      },
      'delivery without repository or installation ignored',
    );
    return 'not for us';
  }
  if (routeOf(delivery.name, event.data.action) === undefined) return 'not for us';
  const subjectKey = subjectKeyOf(delivery.payload);
  const row = await store(state, {
    id: delivery.id,
    event: delivery.name,
    action: event.data.action,
    installationId: event.data.installation.id,
    subjectKey,
    payload: delivery.payload,
    eventAt: eventTimeOf(delivery.name, event.data.action, delivery.payload),
  });
  if (row === undefined) {
    state.log.info({ delivery: delivery.id, event: delivery.name }, 'delivery seen before: ignored');
    return 'seen before';
  }
  enqueue(state, row, subjectKey, false);
  return 'queued';
}

/** Accepts the delivery and tells `onAnswered` how long that took and what became of it. */
export async function accept(state: InboxState, delivery: ArrivingDelivery): Promise<Acceptance> {
  const started = performance.now();
  const outcome = await acceptDelivery(state, delivery);
  state.options.onAnswered?.(delivery.name, outcome, (performance.now() - started) / 1000);
  return outcome;
}
