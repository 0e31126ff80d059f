/**
 * A page's live parts as server-sent events, redrawn each time something they show is written, from any process:
 * redraws are coalesced and spaced; the viewer's access is checked before the stream opens and again every half
 * minute while it is open (a signed-out or no-longer-permitted viewer gets a `gone` event and the stream ends).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { coalescedTask } from '../../lib/coalesced-task.ts';
import type { Viewer } from '../types.ts';
import type { DashboardNotifications } from './dashboard-notifications.ts';

/** What a stream shows now: its events, and the releases whose notifications redraw it. */
export interface LiveRead {
  events: string;
  releaseIds: ReadonlySet<string>;
}

export interface LiveStreamOptions {
  notifications: DashboardNotifications;
  request: IncomingMessage;
  response: ServerResponse;
  viewer: Viewer;
  /** The live parts for a viewer; null when they do not exist or the viewer may not read them. */
  read: (viewer: Viewer) => Promise<LiveRead | null>;
  /** A notification besides the releases' that redraws the stream (e.g. `order:<id>`). */
  payload?: string;
  /** The request's viewer now (null once signed out). */
  recheck: () => Promise<Viewer | null>;
  /** Least time between two redraws (default 200 ms). */
  spacingMs?: number;
  recheckMs?: number;
  keepAliveMs?: number;
}

/** `data:` lines for a multi-line payload (the browser joins them with newlines). */
export function sseEvent(event: string, data: string): string {
  return `event: ${event}\n${data
    .split(/\r?\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** Answers 404 (not found or not readable) or streams until the client goes away. */
export async function streamLive(options: LiveStreamOptions): Promise<void> {
  const { response } = options;
  let viewer = options.viewer;
  const first = await options.read(viewer);
  if (first === null) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write(`retry: 2000\n${first.events}`);

  let releaseIds = first.releaseIds;
  let checkedAt = Date.now();
  let closed = false;
  const spacing = options.spacingMs ?? 200;
  const recheckMs = options.recheckMs ?? 30_000;
  const redraw = coalescedTask(async () => {
    if (closed) return;
    try {
      if (Date.now() - checkedAt > recheckMs) {
        checkedAt = Date.now();
        const current = await options.recheck();
        if (current === null) {
          end('signed out');
          return;
        }
        viewer = current;
      }
      const now = await options.read(viewer);
      if (now === null) {
        end('no access');
        return;
      }
      releaseIds = now.releaseIds;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the viewer may close the stream during the query
      if (!closed) response.write(now.events);
      await delay(spacing);
    } catch {
      // A failed read is retried with the next notification; the browser keeps the last fragment.
    }
  });
  const unsubscribe = options.notifications.subscribe((payload) => {
    if (
      payload === undefined ||
      payload === options.payload ||
      (payload.startsWith('release:') && releaseIds.has(payload.slice('release:'.length)))
    ) {
      void redraw.run();
    }
  });
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
  // Access is checked again even when nothing shown changes.
  const recheck = setInterval(() => void redraw.run(), recheckMs);
  function end(why: string): void {
    if (closed) return;
    response.write(sseEvent('gone', why));
    response.end();
    stop();
  }
  function stop(): void {
    closed = true;
    clearInterval(keepAlive);
    clearInterval(recheck);
    unsubscribe();
  }
  await new Promise<void>((resolve) => {
    response.on('close', () => {
      stop();
      resolve();
    });
  });
}
