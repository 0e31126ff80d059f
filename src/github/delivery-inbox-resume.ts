/**
 * Resuming at start: the rows stored but not handled when a process stopped (`received`, `handling`, `retrying`) are
 * queued again, those this process has taken up already excepted; a retry waits for its time.
 */
import { enqueue, holdUntil, type InboxState } from './delivery-inbox-state.ts';
import { unhandledDeliveries } from './delivery-log.ts';

/** Queues the rows stored but not handled; how many. */
export async function resumeDeliveries(state: InboxState): Promise<number> {
  const rows = (await unhandledDeliveries(state.db)).filter((delivery) => !state.queued.has(delivery.row));
  const subjects = new Set<string>();
  for (const delivery of rows) {
    const first = !subjects.has(delivery.subjectKey);
    subjects.add(delivery.subjectKey);
    // A subject whose earliest delivery waits to be tried again waits with it; a retry behind another delivery
    // simply takes its turn.
    if (first && delivery.nextAttemptAt !== undefined) {
      state.queued.add(delivery.row);
      holdUntil(state, delivery.row, delivery.subjectKey, delivery.nextAttemptAt);
    } else enqueue(state, delivery.row, delivery.subjectKey, true);
  }
  if (rows.length > 0) state.log.info({ deliveries: rows.length }, 'handling deliveries stored before a restart');
  return rows.length;
}
