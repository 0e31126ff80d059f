/** Reads a server-sent event stream with fetch: waits for events matching a test, keeps every event seen. */

export interface ServerSentEvent {
  event: string;
  data: string;
}

export interface EventReader {
  /** The first event (from the start of the stream, not yet taken) that matches; rejects after `timeoutMs`. */
  next(match: (event: ServerSentEvent) => boolean, timeoutMs?: number): Promise<ServerSentEvent>;
  seen(): readonly ServerSentEvent[];
  /** Resolves when the server ends the stream. */
  closed(): Promise<void>;
  close(): Promise<void>;
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('data:')) data.push(line.slice(5));
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

export function readServerSentEvents(url: string, headers: Record<string, string>): EventReader {
  const controller = new AbortController();
  const events: ServerSentEvent[] = [];
  let taken = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  const done = (async () => {
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    if (response.status !== 200 || response.body === null) throw new Error(`event stream answered ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const parsed = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (parsed !== undefined) events.push(parsed);
        end = buffer.indexOf('\n\n');
      }
      wake();
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });
  let ended = false;
  void done.finally(() => {
    ended = true;
    wake();
  });
  return {
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let index = taken; index < events.length; index++) {
            const event = events[index];
            if (event !== undefined && match(event)) {
              taken = index + 1;
              cleanup();
              resolve(event);
              return;
            }
          }
          if (ended) {
            cleanup();
            reject(new Error(`the stream ended without the event; saw ${events.length} events`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching event within ${timeoutMs} ms; saw ${events.length} events`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    seen: () => events,
    closed: () => done,
    async close() {
      controller.abort();
      await done;
    },
  };
}
