/** Around every handled delivery: the payload's repository facts, the once-only claim, and how it ended. */
import type { AppDeps } from './app-deps.ts';
import { claimDelivery, finishDelivery } from './delivery-log.ts';
import type { OctokitSlice } from './octokit-slice.ts';
import { createSession, type Session } from './session.ts';
import type { HandlerLog } from './types.ts';
import { problemsOf, repoEventSchema } from './webhook-payloads.ts';

/** What a delivery brings (a Probot context is one). */
export interface DeliveryContext {
  id: string;
  name: string;
  payload: unknown;
  octokit: OctokitSlice;
  log: HandlerLog;
}

export type SessionHandler = (session: Session, payload: unknown) => Promise<void>;

/**
 * Handles a delivery once: a delivery id seen before does nothing (GitHub's redeliveries, replays). Failures are
 * recorded and rethrown, so the webhook answer says so and a redelivery may try again.
 */
export async function runDelivery(deps: AppDeps, context: DeliveryContext, handler: SessionHandler): Promise<void> {
  const event = repoEventSchema.safeParse(context.payload);
  if (!event.success) {
    context.log.warn({ event: context.name, problems: problemsOf(event.error) }, 'delivery without repository or installation ignored');
    return;
  }
  const db = deps.service.db;
  const claimed = await claimDelivery(db, { id: context.id, event: context.name, action: event.data.action });
  if (!claimed) {
    context.log.info({ delivery: context.id, event: context.name }, 'delivery seen before: ignored');
    return;
  }
  try {
    await handler(createSession(deps, context.octokit, context.log, context.id, event.data), context.payload);
    await finishDelivery(db, context.id, 'handled');
  } catch (error) {
    await finishDelivery(db, context.id, 'failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
}
