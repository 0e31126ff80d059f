/**
 * `/dashboard/orders/<id>/events`: server-sent events carrying the order page's live parts (the stages × hosts grid,
 * outcomes and output; the approvals; the timeline) each time something of the order is written, from any process.
 * Redraws are coalesced and spaced; the viewer's access is checked before the stream opens and again every half
 * minute while it is open (a signed-out or no-longer-permitted viewer gets a `gone` event and the stream ends).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DbExecutor } from '../../db/types.ts';
import { coalescedTask } from '../../lib/coalesced-task.ts';
import { orderDetail, type OrderDetail } from '../queries/order-detail.ts';
import { approvalsSection, timelineSection } from '../pages/order-page.ts';
import { releaseProgress } from '../pages/release-progress.ts';
import type { Viewer } from '../types.ts';
import type { DashboardNotifications } from './dashboard-notifications.ts';

export interface StreamOptions {
  db: DbExecutor;
  notifications: DashboardNotifications;
  request: IncomingMessage;
  response: ServerResponse;
  viewer: Viewer;
  workOrderId: number;
  /** The request's viewer now (null once signed out). */
  recheck: () => Promise<Viewer | null>;
  /** Least time between two redraws (default 200 ms). */
  spacingMs?: number;
  recheckMs?: number;
  keepAliveMs?: number;
}

/** `data:` lines for a multi-line payload (the browser joins them with newlines). */
function sseEvent(event: string, data: string): string {
  return `event: ${event}\n${data
    .split(/\r?\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** The live parts of the order page: the progress fragment, the approvals and the timeline, one event each. */
function liveEvents(detail: OrderDetail): string {
  return (
    sseEvent('progress', releaseProgress(detail).text) +
    sseEvent('approvals', approvalsSection(detail).text) +
    sseEvent('timeline', timelineSection(detail).text)
  );
}

/** Answers 404 (not found or not readable) or streams until the client goes away. */
export async function streamOrderProgress(options: StreamOptions): Promise<void> {
  const { db, response, workOrderId } = options;
  let viewer = options.viewer;
  const first = await orderDetail(db, viewer.repos, workOrderId);
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
  response.write(`retry: 2000\n${liveEvents(first)}`);

  let releaseIds = new Set(first.releases.map((release) => release.releaseId));
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
      const progress = await orderDetail(db, viewer.repos, workOrderId);
      if (progress === null) {
        end('no access');
        return;
      }
      releaseIds = new Set(progress.releases.map((release) => release.releaseId));
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the viewer may close the stream during the query
      if (!closed) response.write(liveEvents(progress));
      await delay(spacing);
    } catch {
      // A failed read is retried with the next notification; the browser keeps the last fragment.
    }
  });
  const unsubscribe = options.notifications.subscribe((payload) => {
    if (
      payload === undefined ||
      payload === `order:${workOrderId}` ||
      (payload.startsWith('release:') && releaseIds.has(payload.slice('release:'.length)))
    ) {
      void redraw.run();
    }
  });
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
  // Access is checked again even when nothing of the order changes.
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
