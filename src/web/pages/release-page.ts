/** `/dashboard/releases/<id>`: one release's live grid and output, and its audit rows (CLI releases have no order). */
import { html, type Html } from '../html.ts';
import type { AuditEntryRow } from '../queries/order-detail.ts';
import type { ReleaseDetail } from '../queries/release-detail.ts';
import type { Viewer } from '../types.ts';
import { timelineTable, when } from './format.ts';
import { layout, LIVE_SCRIPT } from './layout.ts';
import { releaseSection } from './release-progress.ts';

/** The live fragment (`#live`) of the release page. */
export function releaseLive(detail: ReleaseDetail): Html {
  return releaseSection(detail, detail.release);
}

export function releasePage(detail: ReleaseDetail, timeline: AuditEntryRow[], viewer: Viewer): Html {
  const { release } = detail;
  const origin =
    release.workOrderId === null
      ? html`run from the CLI`
      : html`<a href="/dashboard/orders/${release.workOrderId}">work order ${release.workOrderId}</a>`;
  const body = html`<h1>${release.app} ${release.version} → ${release.environment}</h1>
<p>${release.repoFullName} · ${origin} · started ${when(release.startedAt)}</p>
<h2>Progress</h2>
<div id="live" data-events="/dashboard/releases/${release.releaseId}/events" aria-live="polite">${releaseLive(detail)}</div>
<h2>Audit</h2>
<div id="timeline" data-live="timeline">${timelineTable(timeline)}</div>`;
  return layout({
    title: `${release.app} ${release.version} → ${release.environment}`,
    viewer,
    current: '/dashboard/environments',
    body,
    script: LIVE_SCRIPT,
  });
}
