/**
 * LISTEN on a channel of either database: PostgreSQL through a connection of its own (a pooled connection cannot
 * keep a LISTEN), PGlite in-process. `onNotify` gets each payload; on PostgreSQL it is also called with no payload
 * after a reconnect, since notifications sent meanwhile are lost.
 */
import type { Database } from './types.ts';

/** Starts listening; the returned function stops and closes the listening connection. */
export async function listenChannel(
  database: Database,
  channel: string,
  onNotify: (payload: string | undefined) => void,
): Promise<() => Promise<void>> {
  if (database.kind === 'pglite')
    return database.pglite.listen(channel, (payload) => {
      onNotify(payload);
    });
  const { default: postgres } = await import('postgres');
  const listener = postgres(database.url, { max: 1, onnotice: () => undefined });
  const subscription = await listener.listen(
    channel,
    (payload) => {
      onNotify(payload);
    },
    () => {
      onNotify(undefined);
    },
  );
  return async () => {
    await subscription.unlisten();
    await listener.end({ timeout: 5 });
  };
}
