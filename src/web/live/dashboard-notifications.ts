/**
 * One LISTEN on `yardmaster_dashboard` for the whole server, fanned out to the open live views. Payloads are
 * `release:<release id>` and `order:<work order id>` (sent by triggers, see migrations/0009); `undefined` means
 * "something may have been missed" (a reconnect): every view redraws.
 */
import { listenChannel } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';

export const DASHBOARD_CHANNEL = 'yardmaster_dashboard';

export type DashboardListener = (payload: string | undefined) => void;

export interface DashboardNotifications {
  subscribe(listener: DashboardListener): () => void;
  close(): Promise<void>;
}

export async function listenDashboard(database: Database): Promise<DashboardNotifications> {
  const listeners = new Set<DashboardListener>();
  const stop = await listenChannel(database, DASHBOARD_CHANNEL, (payload) => {
    for (const listener of listeners) listener(payload);
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await stop();
    },
  };
}
