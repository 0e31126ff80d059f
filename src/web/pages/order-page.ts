/** `/dashboard/orders/<id>`: the order's live releases, plan, approvals and timeline (every audit row). */
import { issueUrl } from '../../lib/github-web-url.ts';
import { html, type Html } from '../html.ts';
import type { OrderDetail } from '../queries/order-detail.ts';
import type { Viewer } from '../types.ts';
import { badge, timelineTable, when } from './format.ts';
import { layout, LIVE_SCRIPT } from './layout.ts';
import { releaseProgress } from './release-progress.ts';

function planSection(detail: OrderDetail): Html {
  const [current, ...older] = detail.plans;
  if (current === undefined) return html`<p class="muted">No plan yet.</p>`;
  return html`<p>Version ${current.seq} by ${current.author} · ${when(current.createdAt)} · digest <code data-testid="digest">${current.digest.slice(0, 12)}</code>${current.commitSha === null ? '' : html` · commit <code>${current.commitSha.slice(0, 7)}</code>`}</p>
<pre data-testid="plan">${current.yaml}</pre>
${older.length === 0 ? '' : html`<details><summary>${older.length} earlier version${older.length === 1 ? '' : 's'}</summary>${older.map((plan) => html`<p>Version ${plan.seq} by ${plan.author} · ${when(plan.createdAt)} · <code>${plan.digest.slice(0, 12)}</code></p><pre>${plan.yaml}</pre>`)}</details>`}`;
}

/** The approvals table (redrawn live). */
export function approvalsSection(detail: OrderDetail): Html {
  if (detail.approvals.length === 0) return html`<p class="muted">No approvals yet.</p>`;
  const current = detail.plans[0]?.digest;
  return html`<table data-testid="approvals"><thead><tr><th>Who</th><th>Verdict</th><th>Via</th><th>For plan</th><th>Reason</th><th>When</th></tr></thead>
<tbody>${detail.approvals.map(
    (row) =>
      html`<tr><td>${row.actor}</td><td>${badge(row.verdict, 'result')}</td><td>${row.source}</td><td><code>${row.digest.slice(0, 12)}</code>${row.digest === current ? '' : html` <span class="muted">(older plan)</span>`}</td><td>${row.reason ?? ''}</td><td>${when(row.createdAt)}</td></tr>`,
  )}</tbody></table>`;
}

/** Every audit row of the order (redrawn live). */
export function timelineSection(detail: OrderDetail): Html {
  return timelineTable(detail.timeline);
}

export function orderPage(detail: OrderDetail, viewer: Viewer, githubWebUrl: string): Html {
  const { order } = detail;
  const body = html`<h1><a href="${issueUrl(githubWebUrl, order.repoFullName, order.number)}">${order.repoFullName}#${order.number}</a> ${order.title}</h1>
<p>${order.kind === 'pull_request' ? 'Pull-request deployment' : 'Issue work order'} · app <strong>${order.app ?? '—'}</strong> · environment <strong>${order.environment ?? '—'}</strong> · requested by ${order.requester} · opened ${when(order.createdAt)}${order.scheduledAt === null ? '' : html` · scheduled ${when(order.scheduledAt)}`}</p>
<h2>Progress</h2>
<div id="live" data-events="/dashboard/orders/${order.id}/events" aria-live="polite">${releaseProgress(detail)}</div>
<h2>Plan</h2>
${planSection(detail)}
<h2>Approvals</h2>
<div id="approvals" data-live="approvals">${approvalsSection(detail)}</div>
<h2>Timeline</h2>
<div id="timeline" data-live="timeline">${timelineSection(detail)}</div>`;
  return layout({
    title: `${order.repoFullName}#${order.number}`,
    viewer,
    current: '/dashboard/orders',
    body,
    script: LIVE_SCRIPT,
  });
}
