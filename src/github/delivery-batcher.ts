/**
 * Stores arriving deliveries in batches: while one insert is on its way to the database, the deliveries that arrive
 * meanwhile wait and go together in the next. Under load that is one statement and one commit for many webhook
 * answers instead of one each; alone, a delivery waits for nothing but its own insert.
 */
import type { Db } from '../db/types.ts';
import { storeDeliveries, type IncomingDelivery } from './delivery-log.ts';

interface Waiting {
  delivery: IncomingDelivery;
  resolve(row: number | undefined): void;
  reject(error: unknown): void;
}

/** Stores one delivery (see {@link storeDeliveries}): its row, or `undefined` when its id was seen before. */
export type StoreDelivery = (delivery: IncomingDelivery) => Promise<number | undefined>;

export function createDeliveryBatcher(db: Db, maxBatch = 500): StoreDelivery {
  let waiting: Waiting[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      // The same id twice in one batch (a redelivery racing the delivery): the first stores it, the rest saw it.
      const first = new Map<string, Waiting>();
      for (const entry of batch) {
        if (first.has(entry.delivery.id)) entry.resolve(undefined);
        else first.set(entry.delivery.id, entry);
      }
      const unique = [...first.values()];
      try {
        const rows = await storeDeliveries(
          db,
          unique.map((entry) => entry.delivery),
        );
        unique.forEach((entry, index) => {
          entry.resolve(rows[index]);
        });
      } catch (error) {
        for (const entry of unique) entry.reject(error);
      }
    }
    flushing = false;
  }

  return (delivery) =>
    new Promise((resolve, reject) => {
      waiting.push({ delivery, resolve, reject });
      if (!flushing) void flush();
    });
}
