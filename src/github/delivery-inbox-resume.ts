/**
 * Resuming at start: the subjects with rows stored but not handled when a process stopped (`received`, `handling`,
 * `retrying`) are queued again, each on the occasion of its earliest row; the handling takes the subject's claim
 * (a server still working on it keeps it) and a retry waits for its time (delivery-inbox-handle.ts).
 */
import { enqueue, type InboxState } from './delivery-inbox-state.ts';
import { unhandledDeliveries } from './delivery-log.ts';

/** Queues the subjects of the rows stored but not handled; how many rows. */
export async function resumeDeliveries(state: InboxState): Promise<number> {
  const rows = (await unhandledDeliveries(state.db)).filter((delivery) => !state.queued.has(delivery.row));
  const subjects = new Set<string>();
  for (const delivery of rows) {
    if (subjects.has(delivery.subjectKey)) continue;
    subjects.add(delivery.subjectKey);
    enqueue(state, delivery.row, delivery.subjectKey, true);
  }
  if (rows.length > 0) state.log.info({ deliveries: rows.length }, 'handling deliveries stored before a restart');
  return rows.length;
}
