/**
 * `/dashboard/orders/<id>/events`: the order page's live parts (the stages × hosts grid, outcomes and output; the
 * approvals; the timeline), one event each, and `/dashboard/releases/<id>/events`: a release page's grid.
 */
import type { DbExecutor } from '../../db/types.ts';
import { orderDetail, type OrderDetail } from '../queries/order-detail.ts';
import { releaseAuditRows, releaseDetail } from '../queries/release-detail.ts';
import { timelineTable } from '../pages/format.ts';
import { approvalsSection, timelineSection } from '../pages/order-page.ts';
import { releaseProgress } from '../pages/release-progress.ts';
import { releaseLive } from '../pages/release-page.ts';
import { type LiveRead, type LiveStreamOptions, sseEvent, streamLive } from './live-stream.ts';

type StreamOptions = Omit<LiveStreamOptions, 'read' | 'payload'> & { db: DbExecutor };

/** The live parts of the order page: the progress fragment, the approvals and the timeline, one event each. */
function orderEvents(detail: OrderDetail): LiveRead {
  return {
    events:
      sseEvent('progress', releaseProgress(detail).text) +
      sseEvent('approvals', approvalsSection(detail).text) +
      sseEvent('timeline', timelineSection(detail).text),
    releaseIds: new Set(detail.releases.map((release) => release.releaseId)),
  };
}

export async function streamOrderProgress(options: StreamOptions & { workOrderId: number }): Promise<void> {
  const { db, workOrderId } = options;
  await streamLive({
    ...options,
    payload: `order:${workOrderId}`,
    read: async (viewer) => {
      const detail = await orderDetail(db, viewer.repos, workOrderId);
      return detail === null ? null : orderEvents(detail);
    },
  });
}

export async function streamReleaseProgress(options: StreamOptions & { releaseId: string }): Promise<void> {
  const { db, releaseId } = options;
  await streamLive({
    ...options,
    read: async (viewer) => {
      const detail = await releaseDetail(db, viewer.repos, releaseId);
      if (detail === null) return null;
      const timeline = timelineTable(await releaseAuditRows(db, releaseId));
      return {
        events: sseEvent('progress', releaseLive(detail).text) + sseEvent('timeline', timeline.text),
        releaseIds: new Set([releaseId]),
      };
    },
  });
}
